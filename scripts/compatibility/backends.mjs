// The real backends of the compatibility report, each started by the script on a free
// loopback port with its own data directory, and stopped by it: never a service of the
// machine (6379, 5432, 3306), never Docker.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';

/** A free loopback port (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 100 ms until it resolves true; rejects with `what` after `timeoutMs`. */
export async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends one line over TCP and resolves with the first chunk of the answer. */
function ask(port, line) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(line));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data));
    });
  });
}

/** Whether something accepts connections on the port. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

/** A started process, and a stop() that waits for it to exit (SIGKILL after 10 s). */
function managed(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The first executable found among `candidates` (names on PATH, or absolute paths). */
export function findBinary(...candidates) {
  for (const candidate of candidates) {
    if (candidate.startsWith('/')) {
      if (existsSync(candidate)) return candidate;
      continue;
    }
    for (const directory of (process.env.PATH ?? '').split(':')) {
      if (directory && existsSync(join(directory, candidate))) return join(directory, candidate);
    }
  }
  return undefined;
}

const firstLine = (binary, args) => execFileSync(binary, args, { encoding: 'utf8' }).split('\n')[0].trim();

/** redis-server on a free port, persisting nothing. */
export async function startRedis(dir) {
  const binary = findBinary('redis-server');
  if (!binary) throw new Error('redis-server not found (apt-get install redis-server)');
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const running = managed(child);
  await waitFor(async () => (await ask(port, 'PING\r\n')).startsWith('+PONG'), 'redis-server').catch(
    async (err) => {
      await running.stop();
      throw err;
    },
  );
  const version = firstLine(binary, ['--version']).replace(/^.*v=(\S+).*$/, '$1');
  return { name: 'Redis', version, url: `redis://${HOST}:${port}`, port, stop: running.stop };
}

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  const bin = majors.map((major) => join(root, major, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  return bin;
}

/**
 * PostgreSQL from Debian's initdb and pg_ctl: a new cluster in `dir`, trust authentication
 * on loopback only, a free port. As root, it runs as the `postgres` user (initdb refuses root).
 */
export async function startPostgres() {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL not found (apt-get install postgresql)');
  // Its own directory, which the postgres user can reach (the caller's temp dirs are 0700).
  const dir = mkdtempSync(join(tmpdir(), 'kit-pg-'));
  const data = join(dir, 'pg');
  mkdirSync(data, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const run = (binary, args, options = {}) =>
    asRoot
      ? spawnSyncChecked('runuser', ['-u', 'postgres', '--', binary, ...args], options)
      : spawnSyncChecked(binary, args, options);
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chmodSync(dir, 0o755);
    chownSync(data, uid, gid);
  }
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-l',
    join(data, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${data} -c listen_addresses=${HOST} -c fsync=off`,
  ];
  run(join(bin, 'pg_ctl'), [...args, 'start']);
  await waitFor(() => listening(port), 'PostgreSQL');
  const version = firstLine(join(bin, 'postgres'), ['--version']).replace(/^.*\) /, '');
  return {
    name: 'PostgreSQL',
    version,
    port,
    async stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function postgresUser() {
  const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).split(':');
  return { uid: Number(line[2]), gid: Number(line[3]) };
}

function spawnSyncChecked(binary, args, options) {
  return execFileSync(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
}

/**
 * MariaDB from mariadb-install-db and mariadbd: its own datadir and socket in `dir`, a free
 * port on loopback, no grant tables (root without a password, for this run only).
 */
export async function startMariadb(dir) {
  const installDb = findBinary('mariadb-install-db', '/usr/bin/mariadb-install-db');
  const server = findBinary('mariadbd', '/usr/sbin/mariadbd');
  const client = findBinary('mariadb', 'mysql');
  if (!installDb || !server || !client)
    throw new Error('MariaDB not found (apt-get install mariadb-server mariadb-client)');
  const data = join(dir, 'mariadb');
  const socket = join(dir, 'mariadb.sock');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  execFileSync(
    installDb,
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--skip-test-db',
      '--auth-root-authentication-method=normal',
      ...user,
    ],
    {
      stdio: 'ignore',
    },
  );
  const port = await freePort();
  const child = spawn(
    server,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      `--bind-address=${HOST}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      `--log-error=${join(dir, 'mariadb.err')}`,
      '--skip-grant-tables',
      '--innodb-flush-log-at-trx-commit=0',
      ...user,
    ],
    { stdio: 'ignore' },
  );
  const running = managed(child);
  const sql = (statement) =>
    execFileSync(client, ['--no-defaults', `--socket=${socket}`, '-u', 'root', '-e', statement], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  await waitFor(async () => sql('SELECT 1').includes('1'), 'MariaDB').catch(async (err) => {
    await running.stop();
    throw err;
  });
  sql('CREATE DATABASE IF NOT EXISTS kit');
  const version = sql('SELECT VERSION()').split('\n')[1]?.trim() ?? 'unknown';
  return { name: 'MariaDB', version, port, database: 'kit', stop: running.stop };
}
