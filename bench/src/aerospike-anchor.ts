import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import type { SessionData, Store } from 'express-session';
import { SubjectUnavailable } from './context';

/**
 * aerospike-session-store 0.4.0, the store our aerospike-store replaces, is not a dependency:
 * it depends on `aerospike` ^3, a native addon that does not build on current Node. Its
 * published code (`lib/aerospike_store.js`, `lib/data_mapper.js`) only calls client methods
 * that `aerospike` 6 still has, so the benchmark runs that code, unmodified, on the
 * `aerospike` 6.7.1 of this package:
 *
 * 1. the package is taken from `BENCH_AEROSPIKE_ANCHOR_DIR` (a folder holding it, set by the
 *    benchmark for its HTTP server processes), else from `node_modules` if someone installed
 *    it (`--ignore-scripts` is enough), else fetched from the npm registry with
 *    `npm pack aerospike-session-store@0.4.0` into a temporary folder, removed at exit;
 * 2. a `Module._resolveFilename` hook limited to that folder resolves its `require('aerospike')`
 *    to our aerospike 6.7.1 and its `require('debug')` to the debug 2.x of express-session
 *    (its own dependency is `debug` ^2.6.9); nothing else is redirected.
 *
 * Nothing of it is kept in the repository.
 */

export const AEROSPIKE_ANCHOR = { name: 'aerospike-session-store', version: '0.4.0' } as const;
const DIR_ENV = 'BENCH_AEROSPIKE_ANCHOR_DIR';

/** `require('aerospike-session-store')`: `(session) => AerospikeStore`. */
export type AerospikeAnchorFactory = (session: unknown) => new (
  options: object,
) => Store & {
  close(releaseEventLoop?: boolean): void;
};

export interface LoadedAnchor {
  factory: AerospikeAnchorFactory;
  /** Where its code came from, for the legend. */
  source: string;
}

let loaded: LoadedAnchor | undefined;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** The folder of an installed copy, if any. */
function installedDir(): string | undefined {
  try {
    return dirname(require.resolve(`${AEROSPIKE_ANCHOR.name}/package.json`));
  } catch {
    return undefined;
  }
}

/** `npm pack` of the published package into a fresh temporary folder; the folder holding `package/`. */
function fetchFromRegistry(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-aerospike-session-store-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const spec = `${AEROSPIKE_ANCHOR.name}@${AEROSPIKE_ANCHOR.version}`;
  try {
    const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')
      .pop();
    if (!tarball) throw new Error('npm pack printed no file name');
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir], { timeout: 60_000, stdio: 'ignore' });
  } catch (err) {
    throw new SubjectUnavailable(
      `${spec} is not installed and \`npm pack ${spec}\` failed (${firstLine(err)}); ` +
        `install it with --ignore-scripts, or set ${DIR_ENV} to a folder holding it`,
    );
  }
  return join(dir, 'package');
}

/** Resolves `aerospike` and `debug` required from inside `dir` to ours. */
function redirectRequires(dir: string): void {
  const benchRequire = Module.createRequire(join(__dirname, '..', 'package.json'));
  const targets: Record<string, string> = {
    aerospike: benchRequire.resolve('aerospike'),
    debug: Module.createRequire(benchRequire.resolve('express-session')).resolve('debug'),
  };
  const inside = dir.endsWith(sep) ? dir : dir + sep;
  type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
  const mod = Module as unknown as { _resolveFilename: Resolve };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (this: unknown, request, parent, ...rest) {
    const target = targets[request];
    if (target && parent?.filename?.startsWith(inside)) return target;
    return original.call(this, request, parent, ...rest);
  };
}

/**
 * Loads aerospike-session-store 0.4.0 on our aerospike client (once per process).
 * @throws SubjectUnavailable when it can be neither found nor fetched.
 */
export function loadAerospikeAnchor(): LoadedAnchor {
  if (loaded) return loaded;
  const fromEnv = process.env[DIR_ENV];
  const installed = installedDir();
  let dir: string;
  let source: string;
  if (fromEnv && existsSync(join(fromEnv, 'package.json'))) {
    dir = fromEnv;
    source = `published code from ${fromEnv}`;
  } else if (installed) {
    dir = installed;
    source = `installed copy in ${installed}`;
  } else {
    dir = fetchFromRegistry();
    source = `published code fetched with npm pack into ${dir}`;
    // The HTTP server processes are forked with this environment: they load the same copy.
    process.env[DIR_ENV] = dir;
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
  if (manifest.version !== AEROSPIKE_ANCHOR.version) {
    throw new SubjectUnavailable(
      `${AEROSPIKE_ANCHOR.name} in ${dir} is ${manifest.version}, not ${AEROSPIKE_ANCHOR.version}`,
    );
  }
  redirectRequires(dir);
  let factory: unknown;
  try {
    factory = require(dir);
  } catch (err) {
    throw new SubjectUnavailable(`${AEROSPIKE_ANCHOR.name} from ${dir} did not load: ${firstLine(err)}`);
  }
  if (typeof factory !== 'function')
    throw new SubjectUnavailable(`${AEROSPIKE_ANCHOR.name} exports no factory`);
  loaded = { factory: factory as AerospikeAnchorFactory, source: `${source}, on aerospike 6.7.1` };
  // The HTTP server processes load the copy named in the environment: said once, by the benchmark.
  if (!fromEnv) console.log(`    (${AEROSPIKE_ANCHOR.name} ${AEROSPIKE_ANCHOR.version}: ${loaded.source})`);
  return loaded;
}

/** A cookie with the `maxAge` getter of express-session's Cookie: on the prototype, so JSON leaves it out. */
class CookieWithMaxAge {
  declare expires?: unknown;
  constructor(fields: object) {
    Object.assign(this, fields);
  }
  get maxAge(): number | null {
    return this.expires ? new Date(this.expires as string | Date).getTime() - Date.now() : null;
  }
}

/**
 * The session with a cookie that has `maxAge`, as express-session's Cookie has:
 * aerospike-session-store takes its TTL from it, and the benchmark's sessions are plain
 * objects (without it, its `touch` would do nothing). The stored JSON is unchanged. Made
 * per call (two small objects), so the anchor's "heap kept" holds none of them.
 */
export function withMaxAge(session: SessionData): SessionData {
  return { ...session, cookie: new CookieWithMaxAge(session.cookie) } as unknown as SessionData;
}
