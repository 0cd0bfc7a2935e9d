import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { cleanUpPrefix, describeWithBackend, useBuiltPackage, useRedis } from '@session-stores/test-servers';
import defaultExport, { altSession, bridge, createTestSession, mock } from '../src';
import { testPrefix } from './helpers';

const packageDir = resolve(__dirname, '..');

describe('the module shape (source)', () => {
  test('the default export is the factory, carrying bridge and mock as alt-session did', () => {
    expect(defaultExport).toBe(altSession);
    expect(altSession.mock).toBe(mock);
    expect(altSession.bridge).toBe(bridge);
    expect(typeof createTestSession).toBe('function');
  });
});

describeWithBackend('redis', 'the built package', () => {
  const redis = useRedis();
  const prefix = testPrefix('factory');
  cleanUpPrefix(redis, prefix, { tolerateDown: true });

  // Built with the package's own tsup config, loaded as an app would load it.
  const built = useBuiltPackage(packageDir);
  const node = built.runNode;

  test('CommonJS: app.use(require(pkg)(options)) serves sessions; the named exports ride along', async () => {
    const cjs = join(built.outDir(), 'index.js');
    const result = await node(
      ['-e'],
      `
      const express = require('express');
      const request = require('supertest');
      const pkg = require(${JSON.stringify(cjs)});
      const middleware = pkg({ url: ${JSON.stringify(redis().url)}, secret: 's', session: { prefix: ${JSON.stringify(prefix)} } });
      const app = express();
      app.use(middleware);
      app.get('/count', async (req, res) => {
        const n = ((await req.session.get('n')) || 0) + 1;
        await req.session.set('n', n);
        res.json({ n });
      });
      (async () => {
        const agent = request.agent(app);
        const first = (await agent.get('/count')).body.n;
        const second = (await agent.get('/count')).body.n;
        await middleware.close();
        console.log(JSON.stringify({
          factory: typeof pkg, same: pkg.altSession === pkg, mock: typeof pkg.mock, bridge: typeof pkg.bridge,
          testSession: typeof pkg.createTestSession, counts: [first, second],
        }));
      })();
      `,
    );
    expect(result).toEqual({
      factory: 'function',
      same: true,
      mock: 'function',
      bridge: 'function',
      testSession: 'function',
      counts: [1, 2],
    });
  }, 30_000);

  test('ESM: the default and named exports work', async () => {
    const esm = pathToFileURL(join(built.outDir(), 'index.mjs')).href;
    const result = await node(
      ['--input-type=module', '-e'],
      `
      import altSession, { altSession as named, createTestSession, mock } from ${JSON.stringify(esm)};
      const session = createTestSession();
      await session.set('via', 'esm');
      console.log(JSON.stringify({
        same: altSession === named, mock: altSession.mock === mock, via: await session.get('via'),
      }));
      `,
    );
    expect(result).toEqual({ same: true, mock: true, via: 'esm' });
  }, 30_000);
});
