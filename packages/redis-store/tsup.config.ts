import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.package';

// The ESM entries re-export the CommonJS build, so loading `redis` or `ioredis` on demand
// (only when the store creates its own client) uses CommonJS `require` in both cases.
export default defineConfig(
  packageBuild({ index: 'src/index.ts', connection: 'src/connection-entry.ts' }, { classicFactory: true }),
);
