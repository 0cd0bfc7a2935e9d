import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.package';

const base = packageBuild(
  { index: 'src/index.ts', connection: 'src/connection-entry.ts' },
  { classicFactory: true },
);

export default defineConfig({
  ...base,
  // The store loads `redis` or `ioredis` on demand (only when it creates its own client);
  // ESM has no `require`, so the ESM build gets one that resolves from this package.
  banner: ({ format }) =>
    format === 'esm'
      ? {
          js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
        }
      : {},
});
