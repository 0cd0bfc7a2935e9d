import { describe, expect, test } from '@jest/globals';
import { cleanUpPrefix, describeWithBackend, useRedis } from '@session-stores/test-servers';
import { type AltSessionOptions, createTestSession } from '../src';
import { cookieHeader, raw, sleep, stepApp, testPrefix, useMiddlewares } from './helpers';

describeWithBackend('redis', 'expiry on the real clock', () => {
  const redis = useRedis();
  const prefix = testPrefix('expiry');
  cleanUpPrefix(redis, prefix, { tolerateDown: true });

  const middleware = useMiddlewares(prefix, () => ({ url: redis().url }));
  const app = (options: Partial<AltSessionOptions>) => stepApp(middleware(options));
  const pttl = async (id: string) => Number(await raw(redis())('PTTL', `${prefix}:${id}`));
  const store = async (target: ReturnType<typeof app>) =>
    (
      await target.step(async (s) => {
        await s.set('user', 'ann');
        return s.id;
      })
    ).value;

  test('the default idle timeout is 300 s', async () => {
    const id = await store(app({}));
    expect(await pttl(id)).toBeGreaterThan(295_000);
    expect(await pttl(id)).toBeLessThanOrEqual(300_000);
  });

  test('tti 1: an idle session is gone after about a second; its cookie then gets a new session', async () => {
    const target = app({ session: { tti: 1 } });
    const id = await store(target);
    expect(await pttl(id)).toBeLessThanOrEqual(1000);
    await sleep(1300);
    expect(await raw(redis())('EXISTS', `${prefix}:${id}`)).toBe(0);
    const { value } = await target.step(
      async (s) => ({ user: await s.get('user'), isNew: s.isNew, same: s.id === id }),
      undefined,
      {
        Cookie: cookieHeader(id),
      },
    );
    expect(value).toEqual({ user: null, isNew: true, same: false });
  });

  // Real-clock cases: what is asserted depends only on when each request started and ended,
  // measured, so a slow machine makes a case retry (a new session), never fail.
  test('tti 1: using the session keeps it alive past its first second', async () => {
    const target = app({ session: { tti: 1 } });
    for (let attempt = 1; ; attempt++) {
      const startedAt = Date.now();
      const id = await store(target);
      // Each use refreshes the idle timeout somewhere inside its request: two refreshes are at
      // most (end of the later request - start of the earlier one) apart.
      let previousStart = startedAt;
      let fits = true;
      while (Date.now() - startedAt < 1800) {
        await sleep(300);
        const start = Date.now();
        await target.step((s) => s.get('user'), undefined, { Cookie: cookieHeader(id) });
        if (Date.now() - previousStart >= 1000) fits = false;
        previousStart = start;
      }
      const start = Date.now();
      const { value } = await target.step((s) => s.get('user'), undefined, { Cookie: cookieHeader(id) });
      if (fits && Date.now() - previousStart < 1000) {
        // Over 1.8 s after it was stored, never idle for a second: still there.
        expect(value).toBe('ann');
        return;
      }
      if (attempt === 5)
        throw new Error(`every attempt had a pause of a second or more (last: ${start - previousStart} ms)`);
    }
  });

  test('maxLifetime ends an active session when it is reached, however recently it was used', async () => {
    const target = app({ session: { tti: 60 }, maxLifetime: 1.2 });
    for (let attempt = 1; ; attempt++) {
      const storeStart = Date.now();
      const id = await store(target);
      const storeEnd = Date.now();
      expect(await pttl(id)).toBeLessThanOrEqual(1200);
      // A use that ended before storeStart + 1.2 s is within the lifetime for certain; one that
      // started after storeEnd + 1.2 s is past it for certain.
      const within: unknown[] = [];
      let past: unknown;
      while (past === undefined) {
        await sleep(200);
        const start = Date.now();
        const { value } = await target.step((s) => s.touch(), undefined, { Cookie: cookieHeader(id) });
        if (Date.now() < storeStart + 1200) within.push(value);
        else if (start > storeEnd + 1200) past = value;
      }
      if (within.length > 0) {
        expect(within.every((value) => value === true)).toBe(true);
        expect(past).toBe(false);
        expect(await raw(redis())('EXISTS', `${prefix}:${id}`)).toBe(0);
        return;
      }
      if (attempt === 5) throw new Error('no use of the session finished within its lifetime in 5 attempts');
    }
  });

  test('maxLifetime survives regenerate (the creation time moves with the data)', async () => {
    const target = app({ session: { tti: 60 }, maxLifetime: 1 });
    const id = await store(target);
    await sleep(500);
    const { value: newId } = await target.step((s) => s.regenerate(), undefined, {
      Cookie: cookieHeader(id),
    });
    expect(await pttl(newId)).toBeLessThanOrEqual(600);
  });

  test('tti false: no idle timeout; with maxLifetime the key expires at the lifetime only', async () => {
    const forever = await store(app({ session: { tti: false } }));
    expect(await pttl(forever)).toBe(-1);
    await raw(redis())('DEL', `${prefix}:${forever}`);
    const capped = await store(app({ session: { tti: false }, maxLifetime: 30 }));
    expect(await pttl(capped)).toBeGreaterThan(29_000);
    expect(await pttl(capped)).toBeLessThanOrEqual(30_000);
  });

  test('the creation time is stored in the reserved @created field and is not a session key', async () => {
    const target = app({});
    const before = Date.now();
    const id = await store(target);
    const created = Number(await raw(redis())('HGET', `${prefix}:${id}`, '@created'));
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(created).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

describe('expiry in the test double', () => {
  test('createTestSession honours tti and maxLifetime on the process clock', async () => {
    const idle = createTestSession({ data: { a: 1 }, tti: 0.2 });
    await sleep(300);
    expect(await idle.get('a')).toBeNull();
    // The touch is judged only when it returned inside the 300 ms lifetime (a busy machine can
    // stretch the 150 ms sleep past it): then it must have found the session alive. Else retry.
    let judged = false;
    for (let attempt = 0; attempt < 5 && !judged; attempt++) {
      const createdBy = Date.now();
      const capped = createTestSession({ data: { a: 1 }, tti: 10, maxLifetime: 0.3 });
      await sleep(150);
      const touched = await capped.touch();
      if (Date.now() - createdBy < 300) {
        expect(touched).toBe(true);
        judged = true;
      }
      // At least 350 ms after creation, whatever the machine did: past the lifetime.
      await sleep(200);
      expect(await capped.get('a')).toBeNull();
    }
    expect(judged).toBe(true);
  });
});
