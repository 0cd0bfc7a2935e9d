import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.package';

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    'conformance/index': 'src/conformance/index.ts',
    'opentelemetry/index': 'src/opentelemetry/index.ts',
  }),
);
