import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Options } from 'tsup';

const OUT_DIR = 'dist';

/**
 * The one build every published package uses: CommonJS and ESM, each with its own
 * types. With `classicFactory`, the CommonJS entry's module.exports IS the default
 * export (the `(session) => Store` factory), carrying the named exports as
 * properties, so `require(pkg)(session)` and `const { XStore } = require(pkg)` both work.
 * Entries without a default export (subpaths) are left as they are.
 *
 * What ships is kept lean: no source maps (the unminified output, with its names kept,
 * is what a stack trace points at and reads well on its own; maps with their sources
 * inlined were over half of every tarball), and the ESM entries are thin wrappers over
 * the CommonJS build instead of a second copy of the code (see {@link wrapEsmEntries}).
 */
export function packageBuild(
  entry: Record<string, string>,
  options: { classicFactory?: boolean } = {},
): (cli: Options) => Options {
  // A function of the command line's options, so a build with `--out-dir` (the tests'
  // builds of a package) wraps the entries it wrote, not those in dist/.
  return (cli) => ({
    entry,
    outDir: OUT_DIR,
    format: ['cjs', 'esm'],
    dts: true,
    clean: true,
    // Error messages and the capabilities table use class names: the bundler must not rename them.
    keepNames: true,
    sourcemap: false,
    target: 'node20',
    footer: ({ format }) =>
      options.classicFactory && format === 'cjs'
        ? {
            js: 'if (module.exports.default) module.exports = Object.assign(module.exports.default, module.exports);',
          }
        : {},
    onSuccess: async () => wrapEsmEntries(Object.keys(entry), cli.outDir ?? OUT_DIR),
  });
}

/**
 * Rewrites each ESM entry (`dist/<name>.mjs`) as a wrapper that imports the CommonJS
 * build of the same entry and re-exports the names the ESM build exported, then removes
 * the ESM chunks nothing imports any more. One copy of the code per package: half the
 * size, and no dual-package hazard (a class is the same whether it came through `import`
 * or `require`, so `instanceof` holds across both). The `.d.mts` types are unchanged.
 */
export function wrapEsmEntries(entryNames: readonly string[], outDir = OUT_DIR): void {
  for (const name of entryNames) {
    const file = join(outDir, `${name}.mjs`);
    const names = esmExportNames(readFileSync(file, 'utf8'), file);
    const named = names.filter((exported) => exported !== 'default');
    const lines = [
      '// The CommonJS build, re-exported: one copy of the code for import and require.',
      `import cjs from './${basename(name)}.js';`,
    ];
    if (named.length > 0) lines.push(`export const { ${named.join(', ')} } = cjs;`);
    if (names.includes('default')) lines.push('export default cjs.default;');
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
  for (const file of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (/(^|[/\\])chunk-[^/\\]+\.mjs$/.test(file)) rmSync(join(outDir, file));
  }
}

/** The names in the `export { a, b as c }` list that esbuild ends an ESM bundle with. */
function esmExportNames(code: string, file: string): string[] {
  const lists = [...code.matchAll(/^export \{([^}]*)\};?$/gm)];
  const last = lists.at(-1);
  if (!last?.[1] || /^export (\*|default|const|let|var|function|class)\b/m.test(code)) {
    throw new Error(`${file}: expected one final "export { ... }" list from esbuild`);
  }
  return last[1]
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => part.split(/\s+as\s+/).at(-1) as string);
}
