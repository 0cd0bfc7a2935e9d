const { describe, expect, test } = require('@jest/globals');
const request = require('supertest');
const { MemoryStore } = require('@session-stores/core');
const { createApp } = require('../src/app');

describe('the demo app', () => {
  test('counts visits, logs in, regenerates and logs out', async () => {
    const store = new MemoryStore();
    const agent = request.agent(createApp(store, { storeName: 'test' }));
    const first = await agent.get('/').expect(200);
    expect(first.text).toMatch(/id="visits">1</);
    expect((await agent.get('/').expect(200)).text).toMatch(/id="visits">2</);

    await agent.post('/login').type('form').send({ name: '<Ada>' }).expect(303);
    const signedIn = await agent.get('/').expect(200);
    expect(signedIn.text).toContain('Signed in as <strong>&lt;Ada&gt;</strong>');
    const oldId = /id="sid">([^<]+)</.exec(signedIn.text)[1];

    await agent.post('/regenerate').expect(303);
    const regenerated = await agent.get('/').expect(200);
    expect(regenerated.text).toContain('&lt;Ada&gt;');
    expect(regenerated.text).not.toContain(oldId);
    expect(await store.get(oldId)).toBeNull();

    await agent.post('/logout').expect(303);
    expect((await agent.get('/').expect(200)).text).toMatch(/id="visits">1</);
    expect(await store.length()).toBe(1);
    await store.close();
  });
});
