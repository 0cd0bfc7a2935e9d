import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';

// This is the session middleware, not an express-session store: an app using it must get
// neither express-session nor @types/express-session (whose global `req.session` type
// clashes with ours). core and redis-store bring both, so the build bundles what it uses
// of them (tsup.config.ts) and they must stay out of what the package installs.
test('the published package depends on nothing that brings express-session or its types', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  const installed = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ];
  expect(installed.filter((name) => /express-session|^@session-stores\//.test(name))).toEqual([]);
});
