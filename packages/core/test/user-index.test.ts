import { describe, expect, test } from '@jest/globals';
import { escapeUserName, MemoryStore, type SessionData } from '../src';
import { memoryInspect } from './memory-inspect';

const userOf = (session: SessionData): string | undefined => (session as unknown as { user?: string }).user;

function session(user: string | undefined, maxAgeMs: number): SessionData {
  return {
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), path: '/' },
    ...(user === undefined ? {} : { user }),
  } as unknown as SessionData;
}

/** Waits until the clock passes `at` (epoch ms), in timer turns. */
async function until(at: number): Promise<void> {
  while (Date.now() <= at) await new Promise((resolve) => setTimeout(resolve, 1));
}

const indexed = (store: MemoryStore, user: string) =>
  (memoryInspect.indexedIds as (store: MemoryStore, user: string) => Promise<string[]>)(store, user);

describe('MemoryStore user index', () => {
  test('a year of daily logins, each session expiring before the next, leaves one entry, with no sweep and no listing', async () => {
    const store = new MemoryStore({ userOf, sweepIntervalMs: 0 });
    let last = '';
    for (let day = 0; day < 365; day += 1) {
      last = `day-${day}`;
      const written = session('pat', 3);
      await store.set(last, written);
      await until(new Date((written.cookie as { expires: Date }).expires).getTime());
    }
    await store.set('today', session('pat', 60_000));
    expect(await indexed(store, 'pat')).toEqual(['today']);
    await store.close();
  });

  test('destroy() takes the session out of its index at once', async () => {
    const store = new MemoryStore({ userOf });
    await store.set('a', session('pat', 60_000));
    await store.set('b', session('pat', 60_000));
    await store.destroy('a');
    expect(await indexed(store, 'pat')).toEqual(['b']);
    await store.close();
  });

  test('without userOf nothing is indexed', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    await store.set('a', session('pat', 60_000));
    expect(await indexed(store, 'pat')).toEqual([]);
    await store.close();
  });

  test('two stores sharing a database keep their users apart by prefix', async () => {
    const first = new MemoryStore({ userOf, prefix: 'a' });
    const second = new MemoryStore({ userOf, prefix: 'ab', database: first.database });
    await first.set('x', session('bc', 60_000));
    await second.set('y', session('c', 60_000));
    expect((await first.sessionsOf('bc')).map((entry) => entry.id)).toEqual(['x']);
    expect(await second.sessionsOf('bc')).toEqual([]);
    expect((await second.sessionsOf('c')).map((entry) => entry.id)).toEqual(['y']);
    await first.close();
    await second.close();
  });
});

describe('escapeUserName', () => {
  test('keeps plain names readable and escapes glob characters, colons, braces and %', () => {
    expect(escapeUserName('alice.b-c_d9')).toBe('alice.b-c_d9');
    expect(escapeUserName('a*:{b}%')).toBe('a%002a%003a%007bb%007d%0025');
  });

  test('never gives two names the same key', () => {
    const names = ['a', 'a*', '*', 'a%002a', 'a:b', 'a%003ab', '{a}', '', 'ü', 'u%00fc'];
    expect(new Set(names.map(escapeUserName)).size).toBe(names.length);
  });
});
