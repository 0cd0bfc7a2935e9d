const { afterEach, describe, expect, test } = require('@jest/globals');
const request = require('supertest');
const { PouchStore } = require('@session-stores/pouch-store');
const { createApp } = require('../src/app');
const { createStore, DEFAULT_STORE } = require('../src/stores');

const SECRET = 'a-test-secret';
const sidOf = (html) => /id="sid">([^<]+)</.exec(html)[1];
const visitsOf = (html) => Number(/id="visits">(\d+)</.exec(html)[1]);

let closeStore;
afterEach(async () => {
  await closeStore?.();
  closeStore = undefined;
});

/** The demo on its default store, as `npm run demo` starts it. */
async function defaultDemo() {
  const created = await createStore(DEFAULT_STORE, { env: {} });
  closeStore = created.close;
  const app = createApp(created.store, {
    storeName: created.name,
    packageName: created.packageName,
    detail: created.detail,
    secret: SECRET,
  });
  return { app, store: created.store };
}

describe('the demo app on its default store', () => {
  test('the default store is PouchStore in memory, and the page says so with its capabilities', async () => {
    const { app, store } = await defaultDemo();
    expect(store).toBeInstanceOf(PouchStore);
    const page = (await request(app).get('/').expect(200)).text;
    expect(page).toContain('<strong id="store-name">pouch</strong>');
    expect(page).toContain('<code>PouchStore</code> from <code>@session-stores/pouch-store</code>');
    expect(page).toContain('in-memory PouchDB');
    // The manifest is PouchStore's own: 1 ms TTL step and a 500 ms replication bound.
    expect(page).toContain('<tr><th scope="row">TTL step</th><td>1 ms</td></tr>');
    expect(page).toContain('<tr><th scope="row">replication lag</th><td>up to 500 ms</td></tr>');
    expect(page).toContain('&quot;replicationLagMs&quot;: 500');
  });

  test('counts visits, logs in (with a new id), regenerates and logs out', async () => {
    const { app, store } = await defaultDemo();
    const agent = request.agent(app);
    const first = (await agent.get('/').expect(200)).text;
    expect(visitsOf(first)).toBe(1);
    const second = (await agent.get('/').expect(200)).text;
    expect(visitsOf(second)).toBe(2);
    expect(sidOf(second)).toBe(sidOf(first));

    await agent.post('/login').type('form').send({ name: '<Ada>' }).expect(303).expect('Location', '/');
    const signedIn = (await agent.get('/').expect(200)).text;
    expect(signedIn).toContain('Signed in as <strong id="user">&lt;Ada&gt;</strong>');
    expect(signedIn).not.toContain('<Ada>');
    expect(visitsOf(signedIn)).toBe(3);
    // Login regenerated the id: the pre-login id is gone from the store.
    expect(sidOf(signedIn)).not.toBe(sidOf(first));
    expect(await store.get(sidOf(first))).toBeNull();

    await agent.post('/regenerate').expect(303);
    const regenerated = (await agent.get('/').expect(200)).text;
    expect(regenerated).toContain('&lt;Ada&gt;');
    expect(sidOf(regenerated)).not.toBe(sidOf(signedIn));
    expect(await store.get(sidOf(signedIn))).toBeNull();

    const logout = await agent.post('/logout').expect(303);
    expect(String(logout.headers['set-cookie'])).toMatch(/demo\.sid=;.*Expires=Thu, 01 Jan 1970/);
    expect(await store.get(sidOf(regenerated))).toBeNull();
    const after = (await agent.get('/').expect(200)).text;
    expect(visitsOf(after)).toBe(1);
    expect(after).toContain('action="/login"');
    expect(await store.length()).toBe(1);
  });

  test('"your sessions" lists the user\'s sessions, and "log out everywhere else" ends the others', async () => {
    const { app } = await defaultDemo();
    const devices = [request.agent(app), request.agent(app), request.agent(app)];
    for (const device of devices) await device.post('/login').type('form').send({ name: 'Bo' }).expect(303);
    const someoneElse = request.agent(app);
    await someoneElse.post('/login').type('form').send({ name: 'Cy' }).expect(303);
    const [phone, laptop, tablet] = devices;
    const page = (await phone.get('/').expect(200)).text;
    expect(page).toContain('<span class="muted" id="your-session-count">(3)</span>');
    expect(page).toContain(`<code>${sidOf(page)}</code> <strong>(this one)</strong>`);
    await phone.post('/logout-everywhere-else').expect(303).expect('Location', '/');
    expect((await laptop.get('/').expect(200)).text).toContain('action="/login"');
    expect((await tablet.get('/').expect(200)).text).toContain('action="/login"');
    const after = (await phone.get('/').expect(200)).text;
    expect(after).toContain('Signed in as <strong id="user">Bo</strong>');
    expect(after).toContain('<span class="muted" id="your-session-count">(1)</span>');
    expect((await someoneElse.get('/').expect(200)).text).toContain(
      'Signed in as <strong id="user">Cy</strong>',
    );
  });

  test('the session list shows every session with its time to live, and ends any of them', async () => {
    const { app, store } = await defaultDemo();
    const ada = request.agent(app);
    const grace = request.agent(app);
    await ada.post('/login').type('form').send({ name: 'Ada' });
    await grace.post('/login').type('form').send({ name: '<img src=x onerror=alert(1)>' });
    const graceId = sidOf((await grace.get('/').expect(200)).text);
    const adaPage = (await ada.get('/').expect(200)).text;
    const adaId = sidOf(adaPage);

    // Rendered on the server: both sessions, escaped, each with its remaining TTL and an End form.
    expect(adaPage).toContain('<span class="muted" id="session-count">(2)</span>');
    expect(adaPage).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(adaPage).not.toContain('<img src=x');
    expect(adaPage).toContain(`action="/sessions/${graceId}/destroy"`);
    expect(adaPage).toMatch(/<td class="ttl">(29:[0-5]\d|30:00)<\/td>/);

    const list = (await ada.get('/sessions.json').expect(200).expect('Content-Type', /json/)).body;
    expect(list.current).toBe(adaId);
    expect(list.total).toBe(2);
    const byId = Object.fromEntries(list.sessions.map((entry) => [entry.id, entry]));
    expect(byId[adaId]).toMatchObject({ current: true, user: 'Ada', visits: 1 });
    expect(byId[graceId]).toMatchObject({ current: false, user: '<img src=x onerror=alert(1)>' });
    // The cookie's maxAge is 30 minutes; the TTL comes from the stored cookie.expires.
    expect(byId[graceId].ttlMs).toBeGreaterThan(29 * 60_000);
    expect(byId[graceId].ttlMs).toBeLessThanOrEqual(30 * 60_000);

    // Ada ends Grace's session from the list (as the page's fetch does): Grace is logged out.
    await ada
      .post(`/sessions/${encodeURIComponent(graceId)}/destroy`)
      .set('Accept', 'application/json')
      .expect(204);
    expect(await store.get(graceId)).toBeNull();
    const graceAfter = (await grace.get('/').expect(200)).text;
    expect(graceAfter).toContain('action="/login"');
    expect(sidOf(graceAfter)).not.toBe(graceId);
    // Without JavaScript the End button is a plain form post that comes back to the page.
    await ada
      .post(`/sessions/${encodeURIComponent(sidOf(graceAfter))}/destroy`)
      .expect(303)
      .expect('Location', '/');
    expect((await ada.get('/sessions.json')).body.sessions.map((entry) => entry.id)).toEqual([adaId]);
  });

  test('the page and sessions.json show live counts and latencies per store operation, from the store channels', async () => {
    const { app, store } = await defaultDemo();
    const agent = request.agent(app);
    const page = (await agent.get('/').expect(200)).text;
    // The first request saved its new session, then listed the store.
    expect(page).toMatch(
      /<tr data-operation="set"><th scope="row">set<\/th>\s*<td class="count">1<\/td><td class="errors">0<\/td>/,
    );
    expect(page).toMatch(/<tr data-operation="all">[\s\S]*?<td class="count">1<\/td>/);
    expect(page).toContain('session-stores:store:&lt;operation&gt;');

    // An operation that fails is counted with its code; another store's calls are not counted.
    await expect(store.get('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const { MemoryStore } = require('@session-stores/core');
    const other = new MemoryStore();
    await other.get('elsewhere');
    await other.close();

    const rows = async () =>
      Object.fromEntries(
        (await agent.get('/sessions.json').expect(200)).body.operations.map((r) => [r.operation, r]),
      );
    const first = await rows();
    // get: the second request loaded its session (1), plus the failed call; set: still the one save.
    expect(first.get).toMatchObject({ count: 2, errors: 1, lastError: 'ERR_INVALID_ARGUMENT' });
    expect(first.set).toMatchObject({ count: 1, errors: 0 });
    expect(first.all.count).toBe(2);
    for (const row of Object.values(first)) {
      expect(row.meanMs).toBeGreaterThanOrEqual(0);
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
    }
    // Refreshed like the session list: each poll sees the calls made since.
    const second = await rows();
    expect(second.all.count).toBe(3);
    expect(second.get.count).toBe(3);
    // express-session touches each poll's unmodified session as the answer goes out, after the
    // snapshot: the second poll sees the first poll's touch. Rows come in the channels' order.
    expect(second.touch.count).toBe(1);
    expect(Object.keys(second)).toEqual(['get', 'set', 'touch', 'all']);
  });

  test('a store without all() shows why there is no list instead of failing', async () => {
    const { MemoryStore } = require('@session-stores/core');
    class NoListStore extends MemoryStore {
      static capabilities = {
        ...MemoryStore.capabilities,
        methods: { ...MemoryStore.capabilities.methods, all: false },
      };
    }
    const store = new NoListStore();
    closeStore = () => store.close();
    const agent = request.agent(createApp(store, { storeName: 'no-list', secret: SECRET }));
    expect((await agent.get('/').expect(200)).text).toContain('this store declares no all()');
    expect((await agent.get('/sessions.json').expect(200)).body).toMatchObject({
      supported: false,
      sessions: [],
    });
  });

  test('a store error is a 500 page with the error code, escaped', async () => {
    const { MemoryStore, BackendUnavailableError } = require('@session-stores/core');
    const store = new MemoryStore();
    closeStore = () => store.close();
    store.all = async () => {
      throw new BackendUnavailableError('database <down>');
    };
    const app = createApp(store, { storeName: 'broken', secret: SECRET });
    const page = await request(app).get('/').expect(503);
    expect(page.text).toContain('ERR_BACKEND_UNAVAILABLE: database &lt;down&gt;');
    const json = await request(app).get('/sessions.json').expect(503);
    expect(json.body.error).toBe('ERR_BACKEND_UNAVAILABLE: database <down>');
  });

  test('serves the page script and sends a content security policy without inline scripts', async () => {
    const { app } = await defaultDemo();
    const page = await request(app).get('/').expect(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).not.toMatch(/<script>(?!<\/script>)/);
    const script = await request(app)
      .get('/demo.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    expect(script.text).toContain("fetch('/sessions.json'");
    expect(script.text).not.toContain('innerHTML');
  });
});
