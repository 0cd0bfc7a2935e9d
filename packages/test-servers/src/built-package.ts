import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { jestGlobals, useStarted } from './jest-helpers';

const run = promisify(execFile);

/** A package built for the enclosing describe block, and a way to run scripts against it. */
export interface BuiltPackage {
  /** Where the build went (inside the package, so its dependencies resolve as an app's would). */
  outDir(): string;
  /** Runs `node ...args script` in the package directory and parses the JSON the script printed last. */
  runNode(args: readonly string[], script: string): Promise<unknown>;
}

/**
 * Builds the package at `packageDir` with its own tsup config (no types, for speed)
 * before the block's tests and deletes the build after them, so tests can load the
 * CommonJS and ESM output exactly as a user would.
 */
export function useBuiltPackage(packageDir: string): BuiltPackage {
  const outDir = useStarted(
    'the built package',
    async () => {
      const dir = join(packageDir, 'test-artifacts', `build-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      await run('npx', ['tsup', '--out-dir', dir, '--no-dts', '--silent'], { cwd: packageDir });
      return dir;
    },
    async (dir) => rmSync(dir, { recursive: true, force: true }),
  );
  return {
    outDir,
    async runNode(args, script) {
      const { stdout } = await run(process.execPath, [...args, script], { cwd: packageDir, timeout: 60_000 });
      return JSON.parse(stdout.trim().split('\n').pop() as string);
    },
  };
}

/**
 * The two tests every store package runs against its built output, as an app loads it:
 * CommonJS (`require(pkg)(require('express-session'))` is a Store class, `pkg()` and the
 * named export are that class) and ESM (default and named exports), each writing and
 * reading a session. `options(label)` is the constructor's options as JavaScript source;
 * `label` keeps the two tests' keys apart.
 */
export function testBuiltStoreEntryPoints(
  built: BuiltPackage,
  className: string,
  options: (label: string) => string,
): void {
  const { expect, test } = jestGlobals();
  test(`CommonJS: require(pkg)(require("express-session")) and { ${className} } both work`, async () => {
    const cjs = join(built.outDir(), 'index.js');
    const result = await built.runNode(
      ['-e'],
      `
      const session = require('express-session');
      const pkg = require(${JSON.stringify(cjs)});
      const Store = pkg(session);
      (async () => {
        const store = new Store(${options('cjs')});
        await store.ready();
        await store.set('s', { cookie: { maxAge: 60000 }, via: 'cjs' });
        const loaded = await store.get('s');
        await store.close();
        console.log(JSON.stringify({
          factory: typeof pkg, isStore: Store.prototype instanceof session.Store,
          named: typeof pkg.${className}, same: pkg() === pkg.${className}, via: loaded.via,
        }));
      })();
      `,
    );
    expect(result).toEqual({ factory: 'function', isStore: true, named: 'function', same: true, via: 'cjs' });
  }, 30_000);

  test('ESM: the default and named exports work', async () => {
    const esm = pathToFileURL(join(built.outDir(), 'index.mjs')).href;
    const result = await built.runNode(
      ['--input-type=module', '-e'],
      `
      import factory, { ${className} } from ${JSON.stringify(esm)};
      const store = new ${className}(${options('esm')});
      await store.ready();
      await store.set('s', { cookie: { maxAge: 60000 }, via: 'esm' });
      const loaded = await store.get('s');
      await store.close();
      console.log(JSON.stringify({ factory: typeof factory, same: factory() === ${className}, via: loaded.via }));
      `,
    );
    expect(result).toEqual({ factory: 'function', same: true, via: 'esm' });
  }, 30_000);
}
