import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The READMEs whose code blocks are tested: the root one and each published package's.
 * Paths are relative to the repository root.
 */
export const TESTED_READMES = [
  'README.md',
  'packages/core/README.md',
  'packages/redis-store/README.md',
  'packages/expredis-replicated/README.md',
  'packages/aerospike-store/README.md',
  'packages/pouch-store/README.md',
  'packages/alt-session-async/README.md',
] as const;

/** Fenced code in these languages is code a user copies: each block must carry a marker. */
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript']);

/**
 * What the test does with a block, from the HTML comment right above its fence
 * (see CONTRIBUTING.md, "README code blocks"):
 * `<!-- snippet: run; given: app, secret; replace: 10.0.0.5:6379=redis -->`.
 */
export interface SnippetMarker {
  /** `run`: executed (and type-checked when TypeScript); `typecheck`: type-checked only. */
  readonly mode: 'run' | 'typecheck';
  /** Names the snippet uses without defining them; the test defines them first (see GIVENS). */
  readonly given: readonly string[];
  /** Text of the snippet replaced by a test server's address before it runs, in order. */
  readonly replace: ReadonlyArray<readonly [text: string, server: string]>;
  /** Where the type check writes the block (so another block can import it), relative to its folder. */
  readonly file: string | undefined;
  /** The request sent to the block's app, e.g. `POST /legacy/cart {"item":"apple"}`; default `GET /`. */
  readonly request: string | undefined;
}

/** One fenced block of a README. */
export interface Snippet {
  /** The README, relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: 'ts' | 'js';
  readonly code: string;
  /** Undefined when the block has no marker, or an invalid one (then `markerError` says why). */
  readonly marker: SnippetMarker | undefined;
  readonly markerError: string | undefined;
}

const MARKER = /^<!--\s*snippet:\s*(.*?)\s*-->$/;

/** Parses a marker's text (what follows `snippet:`); throws with the reason when invalid. */
export function parseMarker(text: string): SnippetMarker {
  const [modePart = '', ...fields] = text.split(';').map((part) => part.trim());
  if (modePart !== 'run' && modePart !== 'typecheck') {
    throw new Error(`expected "run" or "typecheck" first, got "${modePart}"`);
  }
  let given: string[] = [];
  const replace: Array<readonly [string, string]> = [];
  let file: string | undefined;
  let request: string | undefined;
  for (const field of fields.filter((part) => part !== '')) {
    const colon = field.indexOf(':');
    const key = colon === -1 ? field : field.slice(0, colon).trim();
    const value = colon === -1 ? '' : field.slice(colon + 1).trim();
    if (key === 'given') {
      given = value.split(',').map((name) => name.trim());
      const unknown = given.filter((name) => !(name in GIVENS));
      if (unknown.length > 0)
        throw new Error(`unknown given ${unknown.join(', ')} (known: ${Object.keys(GIVENS).join(', ')})`);
    } else if (key === 'replace') {
      for (const pair of value.split(/\s*,\s*/)) {
        const equals = pair.lastIndexOf('=');
        const server = pair.slice(equals + 1);
        if (equals <= 0 || !SERVER_VALUES.includes(server)) {
          throw new Error(
            `replace: expected text=server with a server of ${SERVER_VALUES.join(', ')}, got "${pair}"`,
          );
        }
        replace.push([pair.slice(0, equals), server]);
      }
    } else if (key === 'file') {
      file = value;
    } else if (key === 'request') {
      if (!/^(GET|POST|PUT|DELETE) \/\S*( \{.*\})?$/.test(value)) {
        throw new Error(`request: expected "METHOD /path" and an optional JSON object, got "${value}"`);
      }
      request = value;
    } else {
      throw new Error(`unknown field "${key}" (given, replace, file, request)`);
    }
  }
  return { mode: modePart, given, replace, file, request };
}

/** Every ts/js fenced block of `readme` (relative to `root`), with its marker. */
export function extractSnippets(root: string, readme: string): Snippet[] {
  const lines = readFileSync(join(root, readme), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = /^```(\w*)\s*$/.exec(lines[index] as string);
    if (!fence) continue;
    const end = lines.indexOf('```', index + 1);
    if (end === -1) throw new Error(`${readme}:${index + 1}: a fence that is never closed`);
    const language = fence[1] as string;
    if (CODE_LANGUAGES.has(language)) {
      let above = index - 1;
      while (above >= 0 && (lines[above] as string).trim() === '') above--;
      const markerText = MARKER.exec((lines[above] ?? '').trim())?.[1];
      let marker: SnippetMarker | undefined;
      let markerError: string | undefined;
      if (markerText === undefined) {
        markerError = 'no <!-- snippet: ... --> marker above it';
      } else {
        try {
          marker = parseMarker(markerText);
        } catch (err) {
          markerError = (err as Error).message;
        }
      }
      snippets.push({
        readme,
        line: index + 1,
        language: language.startsWith('t') ? 'ts' : 'js',
        code: lines.slice(index + 1, end).join('\n'),
        marker,
        markerError,
      });
    }
    index = end;
  }
  return snippets;
}

/** The addresses of the servers the snippets run against. */
export interface SnippetServers {
  /** `host:port` of one Redis server. */
  readonly redis: string;
  /** `host:port` of three more independent Redis servers, for the replicated store. */
  readonly redisGroup: readonly [string, string, string];
  /** `host:port` of an Aerospike server. */
  readonly aerospike: string;
  /** Base URL (ending in `/`) of a CouchDB-compatible server. */
  readonly couchdb: string;
  /** `host:port` of two masters of a Redis Cluster, when a block needs one. */
  readonly cluster?: readonly [string, string] | undefined;
  /** `host:port` of a sentinel watching the master `mymaster`, when a block needs one. */
  readonly sentinel?: string | undefined;
}

/** Servers only some blocks need, started only for those: what test-servers calls them. */
export type OccasionalServer = 'redis-cluster' | 'redis-sentinel';

/** The occasional servers a block's `replace` names. */
export function occasionalServers(snippet: Snippet): OccasionalServer[] {
  const names = (snippet.marker?.replace ?? []).map(([, server]) => server);
  const needed: OccasionalServer[] = [];
  if (names.some((name) => name.startsWith('cluster'))) needed.push('redis-cluster');
  if (names.some((name) => name.startsWith('sentinel'))) needed.push('redis-sentinel');
  return needed;
}

/** The server names a `replace` may use, and the text each stands for. */
const SERVER_VALUES = [
  'redis',
  'redis.host',
  'redis.port',
  'redis1',
  'redis2',
  'redis3',
  'redis3.host',
  'redis3.port',
  'aerospike',
  'couchdb',
  'cluster1',
  'cluster1.host',
  'cluster1.port',
  'cluster2',
  'sentinel',
  'sentinel.host',
  'sentinel.port',
];

function addressOf(servers: SnippetServers, server: string): string {
  if (server === 'redis') return servers.redis;
  if (server === 'aerospike') return servers.aerospike;
  if (server === 'couchdb') return servers.couchdb;
  if (server === 'sentinel') return servers.sentinel as string;
  if (server.startsWith('cluster'))
    return servers.cluster?.[Number(server.slice('cluster'.length)) - 1] as string;
  return servers.redisGroup[Number(server.slice('redis'.length)) - 1] as string;
}

function serverValue(servers: SnippetServers, name: string): string {
  const [server, part] = name.split('.') as [string, string | undefined];
  const address = addressOf(servers, server);
  if (part === undefined) return address;
  const colon = address.lastIndexOf(':');
  return part === 'host' ? address.slice(0, colon) : address.slice(colon + 1);
}

/**
 * What a `given` name stands for: the import or declaration an app around the snippet
 * would have. Written as TypeScript; JavaScript snippets get it compiled.
 */
export const GIVENS: Readonly<Record<string, { readonly imports?: string; readonly code?: string }>> = {
  app: { imports: "import express from 'express';", code: 'const app = express();' },
  session: { imports: "import session from 'express-session';" },
  secret: { code: 'const secret = process.env.SESSION_SECRET as string;' },
  RedisStore: { imports: "import { RedisStore } from '@session-stores/redis-store';" },
  AerospikeStore: { imports: "import { AerospikeStore } from '@session-stores/aerospike-store';" },
  Redis: { imports: "import { Redis } from 'ioredis';" },
  checkPassword: {
    code: 'async function checkPassword(_req: unknown): Promise<{ id: number }> { return { id: 7 }; }',
  },
  addToCart: {
    code: [
      'async function addToCart(session: { get(key: string): Promise<unknown>; set(key: string, value: unknown): Promise<void> }, item: string): Promise<void> {',
      "  await session.set('cart', [...(((await session.get('cart')) as string[] | null) ?? []), item]);",
      '}',
    ].join('\n'),
  },
  expect: {
    imports: "import { deepStrictEqual } from 'node:assert';",
    code: 'const expect = (actual: unknown) => ({ toEqual: (expected: unknown) => deepStrictEqual(actual, expected) });',
  },
  sessionKeys: {
    imports: "import { randomBytes } from 'node:crypto';",
    code: [
      "const newKey = randomBytes(32).toString('base64');",
      "const oldKey = randomBytes(32).toString('base64');",
    ].join('\n'),
  },
  rawAccess: {
    code: [
      'declare function writeRaw(key: string, value: string): Promise<void>;',
      'declare function rawExists(key: string): Promise<boolean>;',
      'declare function remainingMs(key: string): Promise<number | null>;',
    ].join('\n'),
  },
};

/** A snippet as the test compiles or runs it: the givens first, the servers' addresses filled in. */
export function snippetSource(snippet: Snippet, servers: SnippetServers | undefined): string {
  const marker = snippet.marker as SnippetMarker;
  let code = snippet.code;
  if (servers && marker.replace.length > 0) {
    // One pass, longest text first, so an address put in is never replaced again
    // (a port 46379 must not lose its 6379 to a later pair).
    const pairs = [...marker.replace].sort(([a], [b]) => b.length - a.length);
    const pattern = new RegExp(
      pairs.map(([text]) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
      'g',
    );
    const byText = new Map(pairs.map(([text, server]) => [text, serverValue(servers, server)]));
    code = code.replace(pattern, (text) => byText.get(text) as string);
  }
  const givens = marker.given.map((name) => GIVENS[name] as { imports?: string; code?: string });
  return [
    ...givens.flatMap((given) => (given.imports ? [given.imports] : [])),
    ...givens.flatMap((given) => (given.code ? [given.code] : [])),
    code,
  ].join('\n');
}

/** Whether a snippet runs as an ES module: it imports, or awaits at the top level. */
export function isEsModule(snippet: Snippet): boolean {
  return /^\s*import\s/m.test(snippet.code) || /^(const|let|await)\b.*\bawait\b|^await\b/m.test(snippet.code);
}

/** `packages/redis-store/README.md:35` → `redis-store-L35`: a file name for the block. */
export function snippetName(snippet: Snippet): string {
  const folder = snippet.readme === 'README.md' ? 'root' : (snippet.readme.split('/')[1] as string);
  return `${folder}-L${snippet.line}`;
}
