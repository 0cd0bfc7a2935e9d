// The compatibility report script, run as a user runs it, on the two stores that need
// neither npm nor a backend (express-session's MemoryStore and core's), in a directory
// whose node_modules is the kit-users example's: the whole pipeline from store modules to
// the Markdown, without the minutes of installing the published stores.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, symlinkSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { afterAll, describe, expect, test } = require('@jest/globals');

const repo = path.resolve(__dirname, '..', '..');
const script = path.join(repo, 'scripts', 'compatibility-report.mjs');
/** The script's Markdown writer, run in a child process (jest loads no ES modules). */
function renderCompatibility(input) {
  const markdown = pathToFileURL(path.join(repo, 'scripts', 'compatibility', 'markdown.mjs')).href;
  const code = `import { renderCompatibility } from '${markdown}'; process.stdout.write(renderCompatibility(JSON.parse(process.argv[1])));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code, JSON.stringify(input)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'compatibility-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('scripts/compatibility-report.mjs', () => {
  test('runs the kit against each store and writes the table and the failures', () => {
    symlinkSync(path.join(repo, 'examples', 'kit-users', 'node_modules'), path.join(scratch, 'node_modules'));
    const out = path.join(scratch, 'compatibility.md');
    const result = spawnSync(
      process.execPath,
      [
        script,
        '--dir',
        scratch,
        '--no-install',
        '--stores',
        'express-session-memory,session-stores-core-memory',
        '--out',
        out,
      ],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(result.stderr).toMatch(/wrote /);
    expect(result.status).toBe(0);
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).toMatch(/^# Compatibility of express-session stores/);
    expect(markdown).toContain(`Node ${process.version}`);
    expect(markdown).toMatch(
      /\| express-session's MemoryStore \| 1\.\d+\.\d+ \| memory \(in process\) \| \d+ \| 0 \| \d+ \|/,
    );
    expect(markdown).toMatch(
      /\| @session-stores\/core MemoryStore \(ours\) \| [\d.]+ \| memory \(in process\) \| \d+ \| 0 \| \d+ \|/,
    );
    expect(markdown).toContain('No case failed.');
    // A failure is listed with its group, case and why; a store that could not run says why.
    const report = (failed) => ({
      store: { kind: 'plain', expressSession: { version: '1.18.2' } },
      summary: { passed: 1, failed: failed.length, notOffered: 0 },
      groups: [{ name: 'ttl', cases: failed }],
    });
    const rendered = renderCompatibility({
      date: '2026-01-02T00:00:00.000Z',
      node: 'v20.0.0',
      kitVersion: '1.0.0',
      backends: [{ name: 'Redis', version: '7.0.0' }],
      command: 'node scripts/compatibility-report.mjs',
      runs: [
        {
          store: 'a-store',
          version: '2.0.0',
          backend: 'Redis 7.0.0',
          report: report([{ name: 'expires', status: 'failed', reason: 'expected null, received { v: 1 }' }]),
        },
        {
          store: 'b-store',
          version: '1.0.0',
          backend: 'postgres',
          error: 'postgres did not start: no initdb',
        },
      ],
    });
    expect(rendered).toContain('| a-store | 2.0.0 | Redis 7.0.0 | 1 | 1 | 0 |');
    expect(rendered).toContain('- **ttl › expires**: expected null, received { v: 1 }');
    expect(rendered).toContain('| b-store | 1.0.0 | postgres | not run | | |');
    expect(rendered).toContain('Not run: postgres did not start: no initdb');
    expect(rendered).toContain(
      'on 2026-01-02: Node v20.0.0, the conformance kit of @session-stores/core 1.0.0, Redis 7.0.0.',
    );
  });
});
