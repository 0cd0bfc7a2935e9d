import type { Options } from 'tsup';

/**
 * The one build every published package uses: CommonJS and ESM, each with its own
 * types. With `classicFactory`, the CommonJS entry's module.exports IS the default
 * export (the `(session) => Store` factory), carrying the named exports as
 * properties, so `require(pkg)(session)` and `const { XStore } = require(pkg)` both work.
 * Entries without a default export (subpaths) are left as they are.
 */
export function packageBuild(
  entry: Record<string, string>,
  options: { classicFactory?: boolean } = {},
): Options {
  return {
    entry,
    format: ['cjs', 'esm'],
    dts: true,
    clean: true,
    // Error messages and the capabilities table use class names: the bundler must not rename them.
    keepNames: true,
    sourcemap: true,
    target: 'node20',
    footer: ({ format }) =>
      options.classicFactory && format === 'cjs'
        ? {
            js: 'if (module.exports.default) module.exports = Object.assign(module.exports.default, module.exports);',
          }
        : {},
  };
}
