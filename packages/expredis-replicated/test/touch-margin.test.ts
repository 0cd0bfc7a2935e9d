import { afterAll, describe, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import { runStoreConformance } from '@session-stores/core/conformance';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedisGroup,
} from '@session-stores/test-servers';
import { type ReadPolicy, ReplicatedStore } from '../src';
import { KIT_COMMAND_TIMEOUT_MS, rawInspect, readyStore, session, text, urlsOf } from './helpers';

/**
 * express-session's `touch` argument: the loaded session object itself (it carries what the
 * read reported) with its cookie moved to expire `maxAgeMs` from now.
 */
function touched(loaded: SessionData, maxAgeMs: number): SessionData {
  const cookie = { ...(loaded.cookie as object), expires: new Date(Date.now() + maxAgeMs) };
  return Object.assign(loaded, { cookie }) as SessionData;
}

describeWithBackend('redis', 'ReplicatedStore with touchMargin', () => {
  const servers = useRedisGroup(3);
  const prefix = uniquePrefix('margin');
  cleanUpPrefix(servers, prefix, { tolerateDown: true });
  let count = 0;
  const sid = () => `s${++count}`;
  const opened: ReplicatedStore[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });
  // A long hedge delay: on a busy machine the expiries must not miss a 5 ms hedge, which
  // would only make the touch be written (these tests count writes).
  const open = async (readPolicy: ReadPolicy) => {
    const store = await readyStore({
      clients: urlsOf(servers()),
      prefix,
      touchMargin: 0.5,
      readPolicy,
      hedgeDelay: 2000,
    });
    opened.push(store);
    return store;
  };
  /** Each server's value and remaining TTL of a session. */
  const held = (id: string) =>
    Promise.all(
      servers().map(async (server) => ({
        value: text(await server.command('GET', prefix + id)),
        pttl: Number(await server.command('PTTL', prefix + id)),
      })),
    );

  describe.each(['first', 'newest'] as const)("readPolicy '%s'", (readPolicy) => {
    test('a touch the copies cover sends no write to any server; one they do not is written to all', async () => {
      const store = await open(readPolicy);
      const id = sid();
      await store.set(id, session({ v: 1 }, 60_000));
      await store.idle();
      const before = await held(id);
      // Saved with the margin: 90 s on every server.
      for (const copy of before) expect(copy.pttl).toBeGreaterThan(85_000);

      // Asks for 61 s, covered by 90 s everywhere: nothing changes on any server.
      await store.touch(id, touched((await store.get(id)) as SessionData, 61_000));
      await store.idle();
      const after = await held(id);
      after.forEach((copy, index) => {
        expect(copy.value).toBe(before[index]?.value);
        expect(copy.pttl).toBeLessThanOrEqual(before[index]?.pttl as number);
      });

      // Asks for 100 s: past what the copies keep, so every server gets it, with its margin.
      await store.touch(id, touched((await store.get(id)) as SessionData, 100_000));
      await store.idle();
      for (const [index, copy] of (await held(id)).entries()) {
        expect(copy.value).not.toBe(before[index]?.value);
        expect(copy.pttl).toBeGreaterThan(140_000);
      }
      expect(await store.get(id)).toMatchObject({ v: 1 });
    });

    test('one server keeping the session longer than the others does not cover a touch', async () => {
      const store = await open(readPolicy);
      // Whichever servers a read asks, it knows two expiries and one of them is short.
      for (let round = 0; round < 6; round++) {
        const id = sid();
        await store.set(id, session({ v: round }, 60_000));
        await store.idle();
        // As if the last writes had missed servers 1 and 2: only server 0 keeps it 90 s.
        await Promise.all(
          servers()
            .slice(1)
            .map((server) => server.command('PEXPIRE', prefix + id, '20000')),
        );
        await store.touch(id, touched((await store.get(id)) as SessionData, 61_000));
        await store.idle();
        for (const copy of await held(id)) expect(copy.pttl).toBeGreaterThan(60_000);
      }
    });
  });

  test('a read without a quorum of expiries reports none: its touch is written', async () => {
    const store = await open('first');
    const id = sid();
    await store.set(id, session({ v: 1 }, 60_000));
    await store.idle();
    // Two servers lose the key: only one copy is left, so no write quorum keeps it.
    await Promise.all(
      servers()
        .slice(1)
        .map((server) => server.command('DEL', prefix + id)),
    );
    const loaded = (await store.get(id)) as SessionData;
    expect(loaded).toMatchObject({ v: 1 });
    const [first] = await held(id);
    await store.touch(id, touched(loaded, 61_000));
    await store.idle();
    const [after] = await held(id);
    expect(after?.value).not.toBe(first?.value);
    expect(after?.pttl).toBeGreaterThan(85_000);
  });
});

// The whole kit with touchMargin on, so every group runs with reads that wait for expiries.
describeWithBackend('redis', 'ReplicatedStore conformance with touchMargin', () => {
  const servers = useRedisGroup(3);
  runStoreConformance<ReplicatedStore>({
    name: 'ReplicatedStore (touchMargin 0.1)',
    storeClass: ReplicatedStore,
    createStore: ({ prefix, options }) =>
      readyStore({
        commandTimeout: KIT_COMMAND_TIMEOUT_MS,
        touchMargin: 0.1,
        ...options,
        prefix,
        clients: urlsOf(servers()),
      }),
    inspect: rawInspect(servers),
  });
});
