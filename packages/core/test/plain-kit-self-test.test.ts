import { describe, expect, test } from '@jest/globals';
import session from 'express-session';
import { type CaseResult, type ConformanceOptions, runConformanceCases } from '../src/conformance';
import * as broken from './broken-plain-stores/catalogue';
import { type PlainDatabase, PlainMapStore } from './broken-plain-stores/plain-map-store';

type PlainClass = typeof PlainMapStore;

/** The kit run on a plain store class over one shared map, with the facts it cannot see declared. */
function kitOptions(storeClass: PlainClass): ConformanceOptions {
  const database: PlainDatabase = new Map();
  return {
    name: storeClass.name,
    storeClass,
    createStore: ({ prefix }) => new storeClass({ database, prefix }) as never,
    capabilities: { prefixIsolation: true, ttlGranularityMs: 1 },
    inspect: {
      exists: async (store, sid) => {
        const raw = (store as unknown as { raw: PlainMapStore }).raw;
        return raw.isLive(database.get(raw.prefix + sid));
      },
      ttl: async (store, sid) => {
        const raw = (store as unknown as { raw: PlainMapStore }).raw;
        const record = database.get(raw.prefix + sid);
        if (!record) throw new Error(`no record for ${sid}`);
        return record.expiresAt === null ? null : record.expiresAt - Date.now();
      },
    },
  };
}

const failures = (results: CaseResult[]) => results.filter((result) => result.status === 'failed');
const statuses = (results: CaseResult[]) => results.map((result) => `${result.status}: ${result.name}`);

/** Each broken plain store, the group that must catch it, and the case that names the bug. */
const CATALOGUE: Array<[PlainClass, string, string]> = [
  [
    broken.DoubleCallbackStore,
    'callbacks and promises',
    'every method calls its callback exactly once, without error',
  ],
  [broken.IgnoresTtlStore, 'ttl', 'a session whose cookie expires in 1.5 s cannot be read after it expires'],
  [broken.TouchRecreatesStore, 'touch', 'touch never revives a destroyed session'],
  [
    broken.MaxAgeAsSecondsStore,
    'ttl',
    'a session whose cookie expires in 1.5 s cannot be read after it expires',
  ],
  [
    broken.ClearsOtherPrefixesStore,
    'prefix isolation',
    'clear removes only its own prefix, even with glob characters in it',
  ],
  [broken.LostWritesStore, 'concurrency', '1,000 parallel set+get on distinct ids all round-trip'],
];

describe('the conformance kit catches broken plain express-session stores', () => {
  test.each(CATALOGUE)(
    '%p fails the "%s" group: %s',
    async (storeClass, group, caseName) => {
      const results = await runConformanceCases(kitOptions(storeClass), [group]);
      expect(failures(results).map((failure) => failure.name)).toContain(caseName);
    },
    60_000,
  );

  test('the correct plain store passes every case it is offered', async () => {
    const results = await runConformanceCases(kitOptions(PlainMapStore));
    expect(failures(results).map((failure) => `${failure.name}: ${failure.detail}`)).toEqual([]);
    // What express-session requires runs; what core adds is reported as not offered.
    expect(statuses(results)).toContain('passed: touch never revives a destroyed session');
    expect(statuses(results)).toContain(
      'passed: clear removes only its own prefix, even with glob characters in it',
    );
    expect(statuses(results)).toContain('unsupported: disableTTL keeps a session past its cookie expiry');
    expect(results.filter((result) => result.status === 'passed').length).toBeGreaterThan(30);
  }, 120_000);

  test("express-session's own MemoryStore passes every case it is offered", async () => {
    const results = await runConformanceCases({
      name: 'MemoryStore',
      storeClass: session.MemoryStore,
      createStore: () => new session.MemoryStore() as never,
    });
    expect(failures(results).map((failure) => `${failure.name}: ${failure.detail}`)).toEqual([]);
    expect(results.filter((result) => result.status === 'passed').length).toBeGreaterThan(25);
  }, 120_000);

  test('a plain store may declare only what the kit cannot see', async () => {
    const options = { ...kitOptions(PlainMapStore), capabilities: { conditionalWrites: true } as never };
    await expect(runConformanceCases(options, ['manifest'])).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      option: 'capabilities.conditionalWrites',
    });
  });

  test('methods are detected on the store, and a declaration can leave one out', async () => {
    const results = await runConformanceCases(
      { ...kitOptions(PlainMapStore), capabilities: { methods: { touch: false } } },
      ['touch'],
    );
    expect(results.every((result) => result.status === 'unsupported')).toBe(true);
    expect(results[0]?.detail).toMatch(/touch/);
  });
});
