/** The classic `require('@session-stores/aerospike-store')(session)` factory, as aerospike-session-store had. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import session from 'express-session';
import createStore, { AerospikeStore } from '../src';
import { NAMESPACE, uniqueSet, useAerospike } from './helpers';

const set = uniqueSet('factory');
const backend = useAerospike([set]);
const built = path.join(__dirname, '..', 'dist', 'index.js');

describe('classic factory', () => {
  test('factory(session) returns a Store class that works with new', async () => {
    const Store = createStore(session);
    const store = new Store({ client: backend().client, namespace: NAMESPACE, set });
    expect(store).toBeInstanceOf(session.Store);
    expect(store).toBeInstanceOf(AerospikeStore);
    await store.set('f1', {
      cookie: { originalMaxAge: 1000, expires: new Date(Date.now() + 1000) },
    } as never);
    expect(await store.get('f1')).toMatchObject({ cookie: { originalMaxAge: 1000 } });
    await store.close();
  });

  test('factory() with no argument returns the class itself', () => {
    expect(createStore()).toBe(AerospikeStore);
  });

  test('the class cannot be called without new (as in aerospike-session-store)', () => {
    expect(() => (AerospikeStore as unknown as () => unknown)()).toThrow(TypeError);
  });

  (existsSync(built) ? test : test.skip)(
    `the built CommonJS module is the factory and carries the named exports${existsSync(built) ? '' : ' [skipped: dist/ not built, run pnpm build]'}`,
    () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(built) as ((s: typeof session) => unknown) & {
        AerospikeStore: unknown;
        default: unknown;
      };
      expect(typeof loaded).toBe('function');
      expect(typeof loaded.AerospikeStore).toBe('function');
      expect(loaded(session)).toBe(loaded.AerospikeStore);
    },
  );
});
