import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { useBuiltPackage } from '@session-stores/test-servers';

const packageDir = resolve(__dirname, '..');

interface Exit {
  code: number | null;
  stderr: string;
}

function runScript(script: string): Promise<Exit> {
  return new Promise((settle) => {
    const child = execFile(
      process.execPath,
      ['-e', script],
      { cwd: packageDir, timeout: 20_000 },
      (err, _out, stderr) =>
        settle({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
    );
    child.stdin?.end();
  });
}

describe('a short script with a node-redis client the app never connected', () => {
  const built = useBuiltPackage(packageDir);

  // Nothing else keeps Node alive in such a script: the waiting command itself must, until
  // its deadline, or the process exits 0 with the promise never settled.
  test('await store.get() rejects with ERR_BACKEND_CONFIG and the process exits non-zero', async () => {
    const entry = JSON.stringify(join(built.outDir(), 'index.js'));
    const exit = await runScript(`
      const { createClient } = require('redis');
      const { RedisStore } = require(${entry});
      const store = new RedisStore({ client: createClient({ url: 'redis://127.0.0.1:1' }), commandTimeout: 300 });
      store.get('sid').then(
        () => console.log('resolved'),
        (err) => { console.error('rejected ' + err.code); process.exitCode = 3; },
      );
    `);
    expect(exit).toEqual({ code: 3, stderr: expect.stringContaining('rejected ERR_BACKEND_CONFIG') });
  }, 60_000);

  test('an unhandled rejection of that await ends the process with code 1 and the error', async () => {
    const entry = JSON.stringify(join(built.outDir(), 'index.mjs'));
    const exit = await runScript(`
      import(${entry}).then(async ({ RedisStore }) => {
        const { createClient } = require('redis');
        const store = new RedisStore({ client: createClient(), commandTimeout: 300 });
        await store.get('sid');
      });
    `);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('ERR_BACKEND_CONFIG');
  }, 60_000);
});
