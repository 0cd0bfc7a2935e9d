#!/usr/bin/env node
// The compatibility report: published express-session stores (and ours), each installed
// from npm into a temp directory, run by the conformance command line against a real
// backend this script starts and stops, summed up in docs/compatibility.md.
// On demand, not in CI (it installs from npm and takes minutes):
//
//   node scripts/compatibility-report.mjs                        every store, writes docs/compatibility.md
//   node scripts/compatibility-report.mjs --stores memorystore,connect-redis --out /tmp/c.md
//   node scripts/compatibility-report.mjs --dir /tmp/kit-compat --no-install   reuse an earlier install
//
// Needs: redis-server, PostgreSQL (Debian's /usr/lib/postgresql/<major>/bin), MariaDB
// (mariadb-install-db, mariadbd), a C++ toolchain for sqlite3, and @session-stores/core
// built (`pnpm --filter @session-stores/core build`). A store whose backend or install
// fails is listed as not run, with why.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMariadb, startPostgres, startRedis } from './compatibility/backends.mjs';
import { renderCompatibility } from './compatibility/markdown.mjs';
import { STORES } from './compatibility/stores.mjs';

const REPOSITORY = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPOSITORY, 'packages', 'core', 'bin', 'session-stores-core.js');
/** What every store's HTTP cases drive, installed beside the stores. */
const KIT_PEERS = [
  'express-session',
  'express',
  'supertest',
  'fastify',
  '@fastify/session',
  '@fastify/cookie@11.0.2',
];
const STARTERS = { redis: startRedis, postgres: startPostgres, mariadb: startMariadb };
/** How long one store's whole run may take before it is stopped and reported as such. */
const RUN_LIMIT_MS = 20 * 60_000;

function parseArguments(argv) {
  const options = {
    stores: undefined,
    out: join(REPOSITORY, 'docs', 'compatibility.md'),
    dir: undefined,
    install: true,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--stores') options.stores = argv[++index].split(',');
    else if (argument === '--out') options.out = resolve(argv[++index]);
    else if (argument === '--dir') options.dir = resolve(argv[++index]);
    else if (argument === '--no-install') options.install = false;
    else throw new Error(`unknown argument ${argument} (--stores a,b --out file --dir dir --no-install)`);
  }
  return options;
}

const log = (line) => process.stderr.write(`${line}\n`);

/** Runs a command to its end; rejects with its last output lines when it fails. */
function runCommand(command, args, options) {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, ...options }, (err, stdout, stderr) => {
      if (!err) return resolvePromise(stdout);
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-3).join(' / ');
      reject(new Error(`${command} ${args.join(' ')} failed: ${output}`));
    });
  });
}

/** The installed version of `name` in `directory`, or of a workspace package. */
function installedVersion(directory, store) {
  const manifest = store.workspace
    ? join(REPOSITORY, store.workspace, 'package.json')
    : join(directory, 'node_modules', store.package, 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

/** Builds a native module from source when its prebuilt binary could not be fetched. */
async function ensureNativeModule(directory, name) {
  const loads = () =>
    runCommand(process.execPath, ['-e', `require(${JSON.stringify(name)})`], { cwd: directory }).then(
      () => true,
      () => false,
    );
  if (await loads()) return;
  log(`building ${name} from source (node-gyp)`);
  await runCommand(
    'npx',
    ['--yes', 'node-gyp', 'rebuild', `--nodedir=${dirname(dirname(process.execPath))}`],
    {
      cwd: join(directory, 'node_modules', name),
    },
  );
  if (!(await loads())) throw new Error(`${name} does not load after building it from source`);
}

/** Runs the command line against one store module; resolves with its JSON report, or rejects with why not. */
function runConformance(directory, modulePath) {
  return new Promise((resolvePromise, reject) => {
    const options = {
      cwd: directory,
      timeout: RUN_LIMIT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
    };
    execFile(process.execPath, [CLI, 'conformance', modulePath, '--json'], options, (err, stdout, stderr) => {
      if (err?.killed) return reject(new Error(`the run was stopped after ${RUN_LIMIT_MS / 60_000} minutes`));
      if (err && err.code !== 1)
        return reject(new Error(stderr.trim().split('\n')[0] || `exit code ${err.code}`));
      try {
        resolvePromise(JSON.parse(stdout));
      } catch {
        reject(new Error(`unreadable report: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

/** What the module declares to the kit, for the report (read from the generated source). */
function declaredClaims(source) {
  const match = source.match(/capabilities: (\{[^\n]*\})/);
  return match ? match[1].replace(/^\{ | \}$/g, '') : undefined;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (!existsSync(join(REPOSITORY, 'packages', 'core', 'dist', 'conformance', 'index.js'))) {
    throw new Error('build @session-stores/core first: npx pnpm@10.34.9 --filter @session-stores/core build');
  }
  const selected = options.stores ? STORES.filter((store) => options.stores.includes(store.id)) : STORES;
  // A directory given with --dir is kept (its install can be reused); a temp one is removed.
  const directory = options.dir ?? mkdtempSync(join(tmpdir(), 'kit-compat-'));
  const scratch = mkdtempSync(join(directory, 'scratch-'));
  mkdirSync(join(directory, 'stores'), { recursive: true });
  const started = new Map();
  const failedBackends = new Map();
  const stopAll = async () => {
    for (const [name, backend] of started) {
      await backend.stop().catch((err) => log(`could not stop ${name}: ${err.message}`));
    }
    started.clear();
  };
  const onSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runs = [];
  try {
    if (options.install) {
      writeFileSync(
        join(directory, 'package.json'),
        JSON.stringify({ name: 'kit-compatibility', private: true }),
      );
      const packages = [...new Set([...KIT_PEERS, ...selected.flatMap((store) => store.install)])];
      log(`installing ${packages.join(' ')} into ${directory}`);
      await runCommand('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages], {
        cwd: directory,
      });
    }
    for (const backend of new Set(selected.map((store) => store.backend).filter((name) => STARTERS[name]))) {
      try {
        log(`starting ${backend}`);
        const dataDir = join(scratch, `backend-${backend}`);
        mkdirSync(dataDir, { recursive: true });
        started.set(backend, await STARTERS[backend](dataDir));
      } catch (err) {
        failedBackends.set(backend, err.message);
      }
    }
    for (const store of selected) {
      const backend = started.get(store.backend);
      const backendLabel = backend ? `${backend.name} ${backend.version}` : store.backend;
      const version = installedVersion(directory, store);
      const base = { store: store.label, version, backend: backendLabel };
      if (failedBackends.has(store.backend)) {
        runs.push({ ...base, error: `${store.backend} did not start: ${failedBackends.get(store.backend)}` });
        continue;
      }
      try {
        if (store.nativeBuild) await ensureNativeModule(directory, store.nativeBuild);
        const source = store.module({
          redis: started.get('redis'),
          postgres: started.get('postgres'),
          mariadb: started.get('mariadb'),
          scratch,
          repository: REPOSITORY,
        });
        const modulePath = `./stores/${store.id}.cjs`;
        writeFileSync(join(directory, modulePath), source);
        log(`running the kit against ${store.label} ${version ?? ''}`);
        const began = Date.now();
        const report = await runConformance(directory, modulePath);
        const { passed, failed, notOffered } = report.summary;
        log(
          `  ${passed} passed, ${failed} failed, ${notOffered} not offered (${Math.round((Date.now() - began) / 1000)} s)`,
        );
        runs.push({ ...base, report, declared: declaredClaims(source) });
      } catch (err) {
        log(`  not run: ${err.message}`);
        runs.push({ ...base, error: err.message });
      }
    }
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(options.dir ? scratch : directory, { recursive: true, force: true });
  }
  const kitVersion = JSON.parse(
    readFileSync(join(REPOSITORY, 'packages', 'core', 'package.json'), 'utf8'),
  ).version;
  const backends = [
    ...new Map(runs.filter((run) => run.report).map((run) => [run.backend, run.backend])).keys(),
  ]
    .filter((label) => /^(Redis|PostgreSQL|MariaDB) /.test(label))
    .map((label) => ({ name: label.split(' ')[0], version: label.split(' ').slice(1).join(' ') }));
  const markdown = renderCompatibility({
    date: new Date().toISOString(),
    node: process.version,
    kitVersion,
    backends,
    runs,
    command: 'node scripts/compatibility-report.mjs',
    directory,
  });
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, markdown);
  log(`wrote ${options.out}`);
}

main().catch((err) => {
  log(`compatibility-report: ${err.message}`);
  process.exit(1);
});
