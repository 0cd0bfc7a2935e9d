// The command line, spawned as `npx @session-stores/core conformance` runs it.
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const { describe, it } = require('node:test');

const BIN = join(
  dirname(require.resolve('@session-stores/core/package.json')),
  'bin',
  'session-stores-core.js',
);
const STORES = join(__dirname, '..', '..', 'stores');

/** Runs the command to its end; resolves with its exit code and output. */
function run(args, env = {}) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: STORES, env: { ...process.env, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }),
    );
  });
}

/** Runs one group of the kit against a store module with --json; resolves with the exit code and the report. */
async function runGroupJson(storeModule, group) {
  const { code, stdout } = await run(['conformance', storeModule, '--json', '--group', group]);
  return { code, report: JSON.parse(stdout) };
}

/** Whether a process with this pid is still running. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('session-stores-core conformance', () => {
  it('passes a correct plain store: exit 0, every group and case reported', async () => {
    const { code, stdout } = await run(['conformance', './express-memory-store.js']);
    assert.equal(code, 0, stdout);
    assert.match(
      stdout,
      /conformance: express-session's MemoryStore \(MemoryStore, a plain express-session store\)/,
    );
    assert.match(stdout, /express-session 1\.\d+\.\d+ from /);
    assert.match(stdout, /^round trip$/m);
    assert.match(stdout, /^ {2}ok {3}touch never revives a destroyed session \(\d+ ms\)$/m);
    assert.match(stdout, /-- {2}disableTTL keeps a session past its cookie expiry {2}\[not offered: /);
    assert.match(stdout, /^\d+ passed, 0 failed, \d+ not offered \(\d+\.\d s\)$/m);
  });

  it('prints JSON with --json, and runs a core store from an ESM module', async () => {
    const { code, report } = await runGroupJson('./core-memory-store.mjs', 'touch');
    assert.equal(code, 0);
    assert.equal(report.store.kind, 'core');
    assert.deepEqual(
      report.groups.map((group) => group.name),
      ['touch'],
    );
    assert.equal(report.summary.failed, 0);
    assert.equal(report.summary.passed, 7);
  });

  it('reports a broken store: exit 1, the case named with what was expected and what happened', async () => {
    const { code, report } = await runGroupJson('./double-callback-store.js', 'callbacks and promises');
    assert.equal(code, 1);
    const failed = report.groups.flatMap((group) => group.cases).filter((item) => item.status === 'failed');
    const once = failed.find(
      (item) => item.name === 'every method calls its callback exactly once, without error',
    );
    assert.ok(once, JSON.stringify(failed, null, 2));
    assert.equal(once.expected, '[]');
    assert.match(once.actual, /set\(\) called its callback more than once/);
  });

  it('takes capabilities from a --config file', async () => {
    const { code, stdout } = await run([
      'conformance',
      './express-memory-store.js',
      '--config',
      './no-touch.config.js',
      '--json',
      '--group',
      'touch',
    ]);
    assert.equal(code, 0);
    const cases = JSON.parse(stdout).groups.flatMap((group) => group.cases);
    assert.ok(cases.length > 0);
    assert.deepEqual(
      cases.filter((item) => item.status !== 'not offered').map((item) => item.name),
      [],
    );
  });

  it('fails the running case, and goes on, when the store throws outside a call', async () => {
    const { code, report } = await runGroupJson('./throws-later-store.js', 'round trip');
    assert.equal(code, 1);
    const failed = report.groups.flatMap((group) => group.cases).filter((item) => item.status === 'failed');
    assert.ok(
      failed.some((item) => /uncaught exception.*destroy blew up later/.test(item.reason)),
      JSON.stringify(failed),
    );
    assert.equal(report.groups[0].cases.length, 12);
  });

  for (const [input, args, env, line] of [
    [
      'a module that does not load',
      ['./missing.js'],
      {},
      /^session-stores-core: cannot load \.\/missing\.js: /,
    ],
    ['a module without a factory', ['./no-factory.js'], {}, /exports no store factory/],
    [
      'a factory that throws',
      ['./bad-inputs.js'],
      { BAD_INPUT: 'throws' },
      /createStore\(\) threw: cannot reach the database/,
    ],
    [
      'a factory that never resolves',
      ['./bad-inputs.js', '--start-timeout', '500'],
      { BAD_INPUT: 'never-resolves' },
      /createStore\(\) did not resolve within 500 ms/,
    ],
    [
      'a store that hangs',
      ['./bad-inputs.js', '--start-timeout', '500'],
      { BAD_INPUT: 'hanging-store' },
      /the store did not answer get\(\) within 500 ms/,
    ],
    [
      'a factory that returns no store',
      ['./bad-inputs.js'],
      { BAD_INPUT: 'not-a-store' },
      /not a store with get, set and destroy/,
    ],
  ]) {
    it(`${input}: one line, exit 2, the backend it started stopped`, async () => {
      const directory = mkdtempSync(join(tmpdir(), 'kit-cli-'));
      const pidFile = join(directory, 'pid');
      try {
        const { code, stdout, stderr } = await run(['conformance', ...args], {
          ...env,
          BACKEND_PID_FILE: pidFile,
        });
        assert.equal(code, 2, stdout + stderr);
        assert.match(stderr, line);
        assert.equal(stderr.trim().split('\n').length, 1, stderr);
        if (env.BAD_INPUT) assert.equal(alive(Number(readFileSync(pidFile, 'utf8'))), false);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  }

  it('refuses an unknown command with the usage', async () => {
    const { code, stderr } = await run(['check', './express-memory-store.js']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown command "check"/);
    assert.match(stderr, /usage: session-stores-core conformance <store-module>/);
  });
});
