import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  availability,
  type CouchServer,
  isRequired,
  type RedisCluster,
  type RedisSentinelSetup,
  startCouchServer,
  startRedisCluster,
  startRedisSentinel,
} from '@session-stores/test-servers';
import ts from 'typescript';
import {
  extractSnippets,
  isEsModule,
  occasionalServers,
  type Snippet,
  type SnippetServers,
  snippetName,
  snippetSource,
  TESTED_READMES,
} from '../src/readme-snippets';
import { SmokeServers } from '../src/smoke-servers';

// Every ts/js block of the READMEs, run or type-checked as a user would copy it, against the
// built packages (this package's devDependencies) and real servers. How to mark a block:
// CONTRIBUTING.md, "README code blocks".

const root = resolve(__dirname, '..', '..', '..');
// Inside this package, so the snippets resolve our packages and their peers as an app would.
const workDir = join(__dirname, '..', 'test-artifacts', `readme-snippets-${process.pid}`);
const snippets = TESTED_READMES.flatMap((readme) => extractSnippets(root, readme));
const marked = snippets.filter((snippet) => snippet.marker !== undefined);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

test('every ts/js block of the READMEs carries a valid <!-- snippet: ... --> marker', () => {
  const problems = snippets
    .filter((snippet) => snippet.markerError !== undefined)
    .map((snippet) => `${snippet.readme}:${snippet.line}: ${snippet.markerError}`);
  expect(problems).toEqual([]);
  expect(marked.length).toBeGreaterThan(20);
});

/**
 * alt-session-async is used without express-session: its blocks get a program of their own,
 * as express-session's types (any other README's) would change its `req.session` type. A
 * block declaring a module or global augmentation is alone in its program too, so the
 * others are checked without it, as a user copying one of them would.
 */
function programOf(snippet: Snippet): string {
  if (/^declare (module|global)\b/m.test(snippet.code)) return snippetName(snippet);
  return snippet.readme.includes('alt-session-async') ? 'alt-session-async' : 'stores';
}

const programs = [...new Set(marked.filter((snippet) => snippet.language === 'ts').map(programOf))];

/** A user's strict settings (`tsc --strict --module nodenext`). */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  // Only what the snippets import: an @types package of the workspace must not leak in.
  types: ['node'],
};

describe.each(programs)('the TypeScript blocks of the program %s', (program) => {
  test('type-check with tsc --strict --module nodenext', () => {
    const dir = join(workDir, 'typecheck', program);
    const files = marked
      .filter((snippet) => snippet.language === 'ts' && programOf(snippet) === program)
      .map((snippet) => {
        // ES modules (.mts) unless the marker names the file (a .ts module of a CommonJS project).
        const file = join(dir, snippet.marker?.file ?? `${snippetName(snippet)}.mts`);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, snippetSource(snippet, undefined));
        return file;
      });
    expect(files.length).toBeGreaterThan(0);
    const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram(files, COMPILER_OPTIONS));
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => dir,
      getNewLine: () => '\n',
    };
    expect(ts.formatDiagnostics(diagnostics, host)).toBe('');
  }, 120_000);
});

/** One place answers "where is my server?" for every block. */
const smokeServers = new SmokeServers();
let couch: CouchServer | undefined;
let servers: SnippetServers;
let env: NodeJS.ProcessEnv;

const toRun = marked.filter((snippet) => snippet.marker?.mode === 'run');

// A cluster and a Sentinel setup take seconds to start: only for the blocks naming them,
// once each. Where one cannot start here (no redis-cli, say), its blocks show as skipped
// with the reason, unless STORE_TEST_REQUIRE names it.
let cluster: Promise<RedisCluster> | undefined;
let sentinel: Promise<RedisSentinelSetup> | undefined;

async function withOccasionalServers(snippet: Snippet): Promise<SnippetServers> {
  const needed = occasionalServers(snippet);
  let extra: Partial<SnippetServers> = {};
  if (needed.includes('redis-cluster')) {
    cluster ??= startRedisCluster();
    const nodes = (await cluster).nodes.map(({ host, port }) => `${host}:${port}`);
    extra = { ...extra, cluster: [nodes[0] as string, nodes[1] as string] };
  }
  if (needed.includes('redis-sentinel')) {
    sentinel ??= startRedisSentinel();
    const first = (await sentinel).sentinels[0] as { host: string; port: number };
    extra = { ...extra, sentinel: `${first.host}:${first.port}` };
  }
  return { ...servers, ...extra };
}

/** Why a block cannot run here, or undefined when it can (or must: STORE_TEST_REQUIRE). */
function unavailableReason(snippet: Snippet): string | undefined {
  for (const backend of occasionalServers(snippet)) {
    const found = availability(backend);
    if (!found.available && !isRequired(backend)) return found.reason;
  }
  return undefined;
}

describe('the blocks marked run', () => {
  beforeAll(async () => {
    const started = await smokeServers.env(['redis', 'redis-group', 'aerospike']);
    couch = await startCouchServer();
    const hostPort = (url: string) => new URL(url).host;
    const group = (started.SMOKE_REDIS_GROUP_URLS as string).split(',').map(hostPort);
    servers = {
      redis: hostPort(started.SMOKE_REDIS_URL as string),
      redisGroup: group as unknown as [string, string, string],
      aerospike: started.SMOKE_AEROSPIKE_HOSTS as string,
      couchdb: couch.url.endsWith('/') ? couch.url : `${couch.url}/`,
    };
    env = {
      ...process.env,
      REDIS_URL: started.SMOKE_REDIS_URL,
      AEROSPIKE_HOSTS: started.SMOKE_AEROSPIKE_HOSTS,
      SESSION_SECRET: 'readme-snippet-secret',
    };
  }, 120_000);

  afterAll(async () => {
    await (await sentinel?.catch(() => undefined))?.stop();
    await (await cluster?.catch(() => undefined))?.stop();
    await couch?.stop();
    await smokeServers.stop();
  }, 60_000);

  const runnable = toRun.filter((snippet) => unavailableReason(snippet) === undefined);
  for (const snippet of toRun.filter((block) => !runnable.includes(block))) {
    test.skip(`${snippet.readme}:${snippet.line} runs [unavailable: ${unavailableReason(snippet)}]`, () => {});
  }

  test.each(runnable.map((snippet) => [`${snippet.readme}:${snippet.line}`, snippet] as const))(
    '%s runs',
    async (_label, snippet) => {
      const esm = isEsModule(snippet);
      const source = ts.transpileModule(snippetSource(snippet, await withOccasionalServers(snippet)), {
        compilerOptions: {
          module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
      }).outputText;
      const file = join(workDir, 'run', `${snippetName(snippet)}.${esm ? 'mjs' : 'cjs'}`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${source}\n${EPILOGUE}`);
      const outcome = await runNode(file, snippet.marker?.request ?? 'GET /');
      expect(outcome).toEqual({
        code: 0,
        stdout: expect.stringContaining('snippet ran'),
        stderr: outcome.stderr,
      });
    },
    60_000,
  );
});

/**
 * After the block: an app it built answers the marker's request (`GET /` by default; a crash
 * or a 5xx fails, and a 4xx too for a request the marker names), then the process exits,
 * ending the clients and stores the block left open as an app's shutdown would.
 */
const EPILOGUE = `
;(async () => {
  const target = typeof app === 'undefined' ? undefined : app;
  if (target) {
    const server = target.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    const request = process.env.SNIPPET_REQUEST;
    const [method, path] = request.split(' ');
    const body = request.split(' ').slice(2).join(' ') || undefined;
    const answer = await fetch('http://127.0.0.1:' + server.address().port + path, {
      method, body, headers: body ? { 'content-type': 'application/json' } : {},
    });
    const worst = request === 'GET /' ? 500 : 400;
    if (answer.status >= worst) throw new Error(request + ' answered ' + answer.status + ': ' + (await answer.text()));
    console.log(request + ' answered ' + answer.status);
  }
  console.log('snippet ran');
  process.exit(0);
})().catch((err) => { console.error(err); process.exit(1); });
`;

function runNode(
  file: string,
  request: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((settle) => {
    const options = { env: { ...env, SNIPPET_REQUEST: request }, timeout: 45_000 };
    execFile(process.execPath, [file], options, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      settle({ code, stdout, stderr });
    });
  });
}
