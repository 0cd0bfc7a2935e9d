import { describe, expect, test } from '@jest/globals';
import { MemoryDatabase, MemoryStore } from '../src';
import { type CaseResult, type ConformanceOptions, runConformanceCases } from '../src/conformance';
import * as broken from './broken-stores/catalogue';
import { memoryInspect } from './memory-inspect';

type StoreClass = typeof MemoryStore;

function kitOptions(storeClass: StoreClass): ConformanceOptions<MemoryStore> {
  const database = new MemoryDatabase();
  return {
    name: storeClass.name,
    storeClass,
    createStore: ({ prefix, options }) =>
      new storeClass({ ...options, prefix, database, sweepIntervalMs: 200 }),
    inspect: memoryInspect,
  };
}

const failures = (results: CaseResult[]) => results.filter((result) => result.status === 'failed');

/** Each broken store, and the group that must catch it. */
const CATALOGUE: Array<[StoreClass, string]> = [
  [broken.IgnoresTtlStore, 'ttl'],
  [broken.StoresExpiredStore, 'ttl'],
  [broken.TouchDoesNothingStore, 'touch'],
  [broken.TouchCreatesStore, 'touch'],
  [broken.GlobPrefixStore, 'prefix isolation'],
  [broken.NoPrefixStore, 'prefix isolation'],
  [broken.LosesDatesStore, 'round trip'],
  [broken.SharesObjectsStore, 'round trip'],
  [broken.DestroyDoesNothingStore, 'round trip'],
  [broken.CallsTwiceStore, 'callbacks and promises'],
  [broken.CallsAgainOnThrowStore, 'callbacks and promises'],
  [broken.ThrowsSynchronouslyStore, 'callbacks and promises'],
  [broken.SwallowsCorruptStore, 'corrupt data'],
  [broken.TornWritesStore, 'concurrency'],
  [broken.SilentCloseStore, 'events'],
  [broken.OverwritesStore, 'overlapping requests'],
  [broken.AnnouncesFirstConnectStore, 'events'],
  [broken.AnnouncesFirstConnectStore, 'express-session over HTTP'],
  [broken.SilentReconnectStore, 'events'],
  [broken.ListsDestroyedStore, 'user sessions'],
];

describe('the conformance kit catches broken stores', () => {
  test.each(CATALOGUE)(
    '%p fails the "%s" group',
    async (storeClass, group) => {
      const results = await runConformanceCases(kitOptions(storeClass), [group]);
      expect(results.length).toBeGreaterThan(0);
      expect(failures(results).map((failure) => failure.name)).not.toEqual([]);
    },
    60_000,
  );

  test('the reference MemoryStore passes every group it is run through here', async () => {
    const groups = [
      'round trip',
      'prefix isolation',
      'touch',
      'callbacks and promises',
      'corrupt data',
      'events',
      'overlapping requests',
      'user sessions',
    ];
    const results = await runConformanceCases(kitOptions(MemoryStore), groups);
    expect(failures(results)).toEqual([]);
    expect(results.filter((result) => result.status === 'passed').length).toBeGreaterThan(20);
  }, 60_000);

  test('an override may only narrow the manifest', () => {
    const options = { ...kitOptions(MemoryStore), capabilities: { methods: { touch: false } } };
    expect(() => runConformanceCases(options, ['manifest'])).not.toThrow();
    class NoTouch extends MemoryStore {
      static override readonly capabilities = {
        ...MemoryStore.capabilities,
        methods: { ...MemoryStore.capabilities.methods, touch: false },
      };
    }
    const widened = { ...kitOptions(NoTouch), capabilities: { methods: { touch: true } } };
    return expect(runConformanceCases(widened, ['manifest'])).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
    });
  });

  test('narrowing skips what it rules out: a store that implements the method still passes the manifest group', async () => {
    const options = { ...kitOptions(MemoryStore), capabilities: { methods: { touch: false } } };
    const results = await runConformanceCases(options, ['manifest']);
    expect(results.length).toBeGreaterThan(0);
    expect(failures(results)).toEqual([]);
  });

  test('an undeclared feature is reported as unsupported, not passed', async () => {
    const options = { ...kitOptions(MemoryStore), capabilities: { methods: { touch: false } } };
    const results = await runConformanceCases(options, ['touch']);
    expect(results.every((result) => result.status === 'unsupported')).toBe(true);
    expect(results[0]?.detail).toMatch(/touch/);
  });
});
