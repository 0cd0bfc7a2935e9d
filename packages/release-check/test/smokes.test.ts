import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, test } from '@jest/globals';
import ts from 'typescript';
import { requiredPeers } from '../src/smoke-project';
import { smokeFor } from '../src/smokes';

const dir = mkdtempSync(join(tmpdir(), 'release-check-smokes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `node --check` of an ES module: it parses, without running. */
function syntaxErrors(file: string, source: string): string {
  writeFileSync(join(dir, file), source);
  const result = spawnSync(process.execPath, ['--check', join(dir, file)], { encoding: 'utf8' });
  return result.status === 0 ? '' : result.stderr;
}

const names = [
  '@session-stores/core',
  '@session-stores/redis-store',
  '@session-stores/pouch-store',
  '@session-stores/expredis-replicated',
  '@session-stores/not-written-yet',
];

describe.each(names)('the smoke of %s', (name) => {
  const { definition } = smokeFor(name);

  test('has a CommonJS script that parses and requires the package', () => {
    expect(() => new Script(definition.cjs)).not.toThrow();
    expect(definition.cjs).toMatch(new RegExp(`require\\(['"]${name}['"]\\)`));
  });

  test('has an ES module script that parses and imports the package', () => {
    expect(syntaxErrors('smoke.mjs', definition.esm)).toBe('');
    expect(definition.esm).toMatch(new RegExp(`from ['"]${name}['"]`));
  });

  test('has TypeScript without syntax errors', () => {
    const output = ts.transpileModule(definition.types, {
      reportDiagnostics: true,
      fileName: 'smoke-types.mts',
    });
    expect(output.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });
});

test('a package without a smoke of its own gets the generic exports check', () => {
  expect(smokeFor('@session-stores/not-written-yet').generic).toBe(true);
  expect(smokeFor('@session-stores/core').generic).toBe(false);
});

test('the peers a user adds are the non-optional ones', () => {
  const manifest = {
    peerDependencies: { 'express-session': '^1.17.0', redis: '>=4', ioredis: '>=5' },
    peerDependenciesMeta: { redis: { optional: true }, ioredis: { optional: true } },
  };
  expect(requiredPeers(manifest)).toEqual(['express-session']);
});
