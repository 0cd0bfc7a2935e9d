import { resolve } from 'node:path';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.package';

// alt-session-async is not an express-session store: its users must not get express-session
// (nor its types, whose global `req.session` clashes with ours) through core or redis-store.
// So the few parts of both it uses are bundled in, from their sources (tree-shaken), and
// its types are self-contained; neither package is a dependency of the published package.
const BUNDLED_SOURCES = {
  '@session-stores/core': resolve(__dirname, '../core/src/index.ts'),
  '@session-stores/redis-store/connection': resolve(__dirname, '../redis-store/src/connection-entry.ts'),
};

export default defineConfig((cli) => {
  const base = packageBuild({ index: 'src/index.ts' }, { classicFactory: true })(cli);
  return {
    ...base,
    noExternal: Object.keys(BUNDLED_SOURCES),
    esbuildOptions(options) {
      options.alias = { ...options.alias, ...BUNDLED_SOURCES };
    },
    // The types of both come from their sources too, so the declarations it uses are inlined.
    dts: {
      compilerOptions: {
        baseUrl: '.',
        rootDir: '..',
        paths: Object.fromEntries(Object.entries(BUNDLED_SOURCES).map(([name, source]) => [name, [source]])),
      },
    },
  };
});
