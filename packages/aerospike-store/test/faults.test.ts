/**
 * The server goes away mid-run and comes back: operations fail fast with
 * ERR_BACKEND_UNAVAILABLE, `disconnect` is emitted, then `connect`, and the store
 * works again, with its own client or with the app's.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCode } from '@session-stores/core';
import { timedFailure } from '@session-stores/test-servers';
import * as Aerospike from 'aerospike';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { AerospikeStore } from '../src';
import { NAMESPACE, sleep, uniqueSet, useAerospike, waitFor } from './helpers';
import { type Outage, outageFor } from './outage';

const set = uniqueSet('faults');
const backend = useAerospike([set]);
let outage: Outage;
const stores: AerospikeStore[] = [];
const clients: Aerospike.Client[] = [];

beforeAll(async () => {
  outage = await outageFor(backend());
});
afterEach(async () => {
  await outage.resume().catch(() => undefined);
  for (const store of stores.splice(0)) await store.close();
  for (const client of clients.splice(0)) client.close();
});
afterAll(() => outage.stop());

/** A store with its own client, through the outage switch. */
function ownStore(prefix: string): AerospikeStore {
  const store = new AerospikeStore({ hosts: outage.hostsString, namespace: NAMESPACE, set, prefix });
  stores.push(store);
  return store;
}

/** Records `connect` / `disconnect` in order. */
function eventsOf(store: AerospikeStore): string[] {
  const events: string[] = [];
  store.on('connect', () => events.push('connect'));
  store.on('disconnect', () => events.push('disconnect'));
  return events;
}

const cookie = () => ({
  originalMaxAge: 60_000,
  expires: new Date(Date.now() + 60_000),
  httpOnly: true,
  path: '/',
});

describe('server stopped mid-run', () => {
  test('operations fail fast with ERR_BACKEND_UNAVAILABLE and disconnect is emitted; after restart connect follows and the store works', async () => {
    const store = ownStore('own:');
    await store.ready(5000);
    const events = eventsOf(store);
    await store.set('alive', { cookie: cookie(), v: 1 } as never);

    await outage.pause();
    for (const operation of [
      () => store.get('alive'),
      () => store.set('other', { cookie: cookie() } as never),
      () => store.touch('alive', { cookie: cookie() } as never),
      () => store.destroy('other'),
      () => store.length(),
    ]) {
      const { code, ms } = await timedFailure(operation);
      expect({ code, fast: ms < 1500 }).toEqual({ code: ErrorCode.BackendUnavailable, fast: true });
    }
    expect(await waitFor(() => events.includes('disconnect'), 2000)).toBe(true);
    expect(store.connected).toBe(false);

    await outage.resume();
    expect(await waitFor(() => events.at(-1) === 'connect', 8000)).toBe(true);
    expect(store.connected).toBe(true);
    expect(await store.get('alive')).toMatchObject({ v: 1 });
    await store.set('after', { cookie: cookie(), v: 2 } as never);
    expect(await store.get('after')).toMatchObject({ v: 2 });
    expect(events).toEqual(['disconnect', 'connect']);
  }, 20_000);

  test("with the app's client and no traffic, the client's cluster events drive disconnect and connect", async () => {
    // A quick tend interval, so the client drops the node within about 1.5 s instead of 5 s.
    const client = await Aerospike.connect({ hosts: outage.hostsString, tenderInterval: 250 });
    clients.push(client);
    const store = new AerospikeStore({ client, namespace: NAMESPACE, set, prefix: 'borrowed:' });
    stores.push(store);
    await store.ready(2000);
    const events = eventsOf(store);

    await outage.pause();
    expect(await waitFor(() => events.includes('disconnect'), 5000)).toBe(true);
    const { code, ms } = await timedFailure(() => store.get('x'));
    expect({ code, fast: ms < 1500 }).toEqual({ code: ErrorCode.BackendUnavailable, fast: true });

    await outage.resume();
    expect(await waitFor(() => events.at(-1) === 'connect', 8000)).toBe(true);
    await store.set('x', { cookie: cookie(), v: 3 } as never);
    expect(await store.get('x')).toMatchObject({ v: 3 });
    await store.close();
    // The store never closes a client it was given.
    expect(client.isConnected()).toBe(true);
  }, 20_000);

  test('a server that is down when the store is created: operations fail fast, then the store connects (silently) once it is up', async () => {
    await outage.pause();
    const store = ownStore('late:');
    const events = eventsOf(store);
    const { code, ms } = await timedFailure(() => store.get('x'));
    expect({ code, fast: ms < 1500 }).toEqual({ code: ErrorCode.BackendUnavailable, fast: true });
    await expect(store.ready(500)).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });

    await sleep(500);
    await outage.resume();
    // Retries are 1 s, then 2 s apart.
    await store.ready(8000);
    // The first connection is no change for express-session, which presumed the store ready.
    expect(events).toEqual([]);
    await store.set('x', { cookie: cookie(), v: 4 } as never);
    expect(await store.get('x')).toMatchObject({ v: 4 });
  }, 20_000);

  test('express-session serves requests without a session during the outage, and with it again afterwards', async () => {
    const store = ownStore('http:');
    await store.ready(5000);
    const app = express();
    app.use(session({ store, secret: 'faults-test-secret', resave: false, saveUninitialized: false }));
    app.post('/visit', (req, res) => {
      if (!req.session) {
        res.json({ session: false });
        return;
      }
      const data = req.session as unknown as { n?: number };
      data.n = (data.n ?? 0) + 1;
      res.json({ session: true, n: data.n });
    });
    const agent = request.agent(app);
    expect((await agent.post('/visit').expect(200)).body).toEqual({ session: true, n: 1 });

    await outage.pause();
    // The first request meets the outage (500), which tells the store it is disconnected...
    await agent.post('/visit');
    expect(await waitFor(() => !store.connected, 2000)).toBe(true);
    // ...and from then on express-session skips the store instead of failing the request.
    expect((await agent.post('/visit').expect(200)).body).toEqual({ session: false });

    await outage.resume();
    expect(await waitFor(() => store.connected, 8000)).toBe(true);
    expect((await agent.post('/visit').expect(200)).body).toEqual({ session: true, n: 2 });
  }, 20_000);
});
