import { describe, expect, test } from '@jest/globals';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { MemoryStore } from '../src';
import { eventLoopTurns } from '../src/conformance/fixtures';

/** Every `connect` / `disconnect` the store emits, in order. */
function recordEvents(store: MemoryStore): string[] {
  const heard: string[] = [];
  store.on('connect', () => heard.push('connect'));
  store.on('disconnect', () => heard.push('disconnect'));
  return heard;
}

/** A MemoryStore whose reachability a test switches, as a backend's client would. */
class SwitchedStore extends MemoryStore {
  reachable(connected: boolean): void {
    this.setConnected(connected);
  }
}

/** A store that finds its backend only after construction, like a connecting client. */
class LateStore extends MemoryStore {
  protected override setConnected(connected: boolean): void {
    if (connected && !this.connected) setImmediate(() => super.setConnected(true));
    else super.setConnected(connected);
  }
}

/** express-session's test app: answers with `typeof req.session`. */
function kindApp(store: MemoryStore): express.Express {
  const app = express();
  app.use(session({ store, secret: 'events-test', resave: false, saveUninitialized: false }));
  app.get('/', (req, res) => {
    res.send(typeof req.session);
  });
  return app;
}

describe('connect and disconnect report real changes only', () => {
  test('a store connected when created emits nothing', async () => {
    const store = new MemoryStore();
    const heard = recordEvents(store);
    await eventLoopTurns(5);
    expect(store.connected).toBe(true);
    expect(heard).toEqual([]);
    await store.close();
  });

  test('a store that connects after creation emits no connect for it, and ready() still resolves', async () => {
    const store = new LateStore();
    const heard = recordEvents(store);
    expect(store.connected).toBe(false);
    await store.ready(1000);
    await eventLoopTurns(5);
    expect(heard).toEqual([]);
    await store.close();
    await eventLoopTurns(1);
    expect(heard).toEqual(['disconnect']);
  });

  test('a drop right after creation emits disconnect and nothing undoes it; the reconnect emits connect', async () => {
    const store = new SwitchedStore();
    const heard = recordEvents(store);
    store.reachable(false);
    await eventLoopTurns(5);
    expect(heard).toEqual(['disconnect']);
    store.reachable(true);
    store.reachable(false);
    store.reachable(true);
    await eventLoopTurns(1);
    expect(heard).toEqual(['disconnect', 'connect', 'disconnect', 'connect']);
    await store.close();
  });

  test('close() ends a pending ready() at once with ERR_STORE_CLOSED', async () => {
    const store = new SwitchedStore();
    store.reachable(false);
    const waiting = store.ready(60_000);
    await store.close();
    // Before, it stayed pending for its whole 60 s, its timer holding the process.
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
  });
});

// express-session 1.19's own tests, with a store of ours in place of its MemoryStore.
describe('express-session gates requests on the store events', () => {
  test('should not be set if store is disconnected', async () => {
    const store = new MemoryStore();
    const app = kindApp(store);
    store.emit('disconnect');
    const res = await request(app).get('/').expect(200, 'undefined');
    expect(res.headers['set-cookie']).toBeUndefined();
    await store.close();
  });

  test('should be set when store reconnects', async () => {
    const store = new MemoryStore();
    const app = kindApp(store);
    store.emit('disconnect');
    const res = await request(app).get('/').expect(200, 'undefined');
    expect(res.headers['set-cookie']).toBeUndefined();
    store.emit('connect');
    await request(app).get('/').expect(200, 'object');
    await store.close();
  });

  test('a real drop and reconnect of the store do the same', async () => {
    const store = new SwitchedStore();
    const app = kindApp(store);
    await request(app).get('/').expect(200, 'object');
    store.reachable(false);
    await eventLoopTurns(1);
    await request(app).get('/').expect(200, 'undefined');
    store.reachable(true);
    await eventLoopTurns(1);
    await request(app).get('/').expect(200, 'object');
    await store.close();
  });
});
