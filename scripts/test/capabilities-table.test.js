// The root README's capabilities table cannot drift from the stores' manifests: the real
// README is checked against the built packages, and the check itself is shown to catch a
// changed cell, a missing row and missing markers, on a throwaway repository layout.
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { afterAll, describe, expect, test } = require('@jest/globals');

const repo = path.resolve(__dirname, '..', '..');
const script = path.join(repo, 'scripts', 'capabilities-table.mjs');

function run(...args) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: repo, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'capabilities-table-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes files under `scratch/<name>/`, creating folders. */
function layout(name, files) {
  const root = path.join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const MANIFEST = {
  methods: { touch: true, all: true, length: false, clear: true, ids: false },
  ttlGranularityMs: 1000,
  expiresOnServer: true,
  prefixIsolation: false,
  events: { connect: true, disconnect: false },
  replicationLagMs: 250,
};

/** A throwaway repository: one built store package, one not built, one private, one not started. */
function fakeRepository(name, readme) {
  return layout(name, {
    'README.md': readme,
    'packages/alpha-store/package.json': JSON.stringify({ name: '@x/alpha-store', main: './dist/index.js' }),
    'packages/alpha-store/src/index.ts': '',
    // A base class with a manifest (like SessionStore) and a store extending it: only the store is a row.
    'packages/alpha-store/dist/index.js': `
      class Base { static capabilities = { methods: {}, events: {} }; }
      class AlphaStore extends Base { static capabilities = ${JSON.stringify(MANIFEST)}; }
      module.exports = Object.assign(() => AlphaStore, { AlphaStore, Base, helper: () => 1 });`,
    'packages/beta-store/package.json': JSON.stringify({ name: '@x/beta-store', main: './dist/index.js' }),
    'packages/beta-store/src/index.ts': '',
    'packages/tooling/package.json': JSON.stringify({
      name: '@x/tooling',
      private: true,
      main: './dist/index.js',
    }),
    'packages/tooling/src/index.ts': '',
    'packages/gamma-store/package.json': JSON.stringify({ name: '@x/gamma-store', main: './dist/index.js' }),
  });
}

const ALPHA_ROW =
  '| `AlphaStore` | [`@x/alpha-store`](packages/alpha-store) | ✓ | all only | – | ✓ | 1 s | ✓ | – | connect | up to 250 ms | last write wins | – |';
const BETA_ROW =
  '| `BetaStore` | [`@x/beta-store`](packages/beta-store) | ✓ | ✓ | ✓ | ✓ | 1 ms | ✓ | ✓ | – | none |';

describe('capabilities-table', () => {
  test("the root README's table matches the manifests of the built stores", () => {
    const outcome = run('--check');
    expect({ status: outcome.status, stderr: outcome.status === 0 ? '' : outcome.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(outcome.stdout).toMatch(/matches the manifests \(\d+ row\(s\)\)/);
    // Core is always built before this test runs, so its row is always verified.
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toContain(
      '| `MemoryStore` | [`@session-stores/core`](packages/core) |',
    );
  });

  test('rows come from each built store class’s static manifest; unbuilt rows are kept, others left out', () => {
    const root = fakeRepository(
      'write',
      `# x\n\n<!-- capabilities:start -->\n| stale | [\`@x/alpha-store\`](packages/alpha-store) |\n${BETA_ROW}\n| \`Gone\` | [\`@x/removed\`](packages/removed) |\n<!-- capabilities:end -->\n\nafter\n`,
    );
    const written = run('--write', '--root', root);
    expect(written.status).toBe(0);
    expect(written.stderr).toContain('@x/beta-store left out: not built (./dist/index.js missing)');
    expect(written.stderr).toContain("kept README's row for @x/beta-store unverified");
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf('<!-- capabilities:start -->'), readme.indexOf('after'));
    expect(block.split('\n').filter((line) => line.startsWith('| `'))).toEqual([ALPHA_ROW, BETA_ROW]);
    expect(readme).not.toContain('Base');
    expect(readme).not.toContain('@x/tooling');
    expect(readme).not.toContain('@x/removed');
    expect(readme.endsWith('<!-- capabilities:end -->\n\nafter\n')).toBe(true);
    // What was just written passes the check.
    expect(run('--check', '--root', root).status).toBe(0);
  });

  test('a changed cell or a missing row fails the check, showing the difference', () => {
    const real = readFileSync(path.join(repo, 'README.md'), 'utf8');
    const row = real.split('\n').find((line) => line.startsWith('| `MemoryStore` |'));
    const changed = path.join(scratch, 'changed.md');
    writeFileSync(changed, real.replace(row, row.replace('1 ms', '1 s')));
    const drift = run('--check', '--readme', changed);
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain(`- ${row.replace('1 ms', '1 s')}`);
    expect(drift.stderr).toContain(`+ ${row}`);

    const missing = path.join(scratch, 'missing.md');
    writeFileSync(missing, real.replace(`${row}\n`, ''));
    const gap = run('--check', '--readme', missing);
    expect(gap.status).toBe(1);
    expect(gap.stderr).toContain(`+ ${row}`);
  });

  test('a README without the markers fails the check', () => {
    const root = fakeRepository('no-markers', '# x\n\nno table here\n');
    const outcome = run('--check', '--root', root);
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toMatch(
      /has no "<!-- capabilities:start -->" \.\.\. "<!-- capabilities:end -->" markers/,
    );
  });
});
