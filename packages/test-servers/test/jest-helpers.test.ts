import { describe, expect, test } from '@jest/globals';
import { describeWithBackend, uniquePrefix, useStarted } from '../src';

// Registered with an env where aerospike is unavailable and not required: must be skipped, so the
// failing test inside never runs. The title shows the reason in the jest output.
describeWithBackend(
  'aerospike',
  'an unavailable backend',
  () => {
    const never = useStarted(
      'never',
      async () => {
        throw new Error('beforeAll of a skipped block ran');
      },
      async () => {},
    );
    test('is skipped, hooks included', () => {
      never();
      throw new Error('a test in a skipped block ran');
    });
  },
  { PATH: '' },
);

describe('describeWithBackend', () => {
  test('fails with one line when STORE_TEST_REQUIRE names an unavailable backend', () => {
    let thrown: unknown;
    try {
      describeWithBackend('aerospike', 'x', () => {}, { PATH: '', STORE_TEST_REQUIRE: 'redis,aerospike' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    const { message, stack } = thrown as Error;
    expect(message).toMatch(
      /^aerospike is required by STORE_TEST_REQUIRE but unavailable: no Aerospike server/,
    );
    expect(message).not.toContain('\n');
    // No stack trace into this package: jest prints just the line.
    expect(stack).toBe(message);
  });
});

test('describeWithBackend rejects an unknown STORE_TEST_REQUIRE name even for an available backend', () => {
  expect(() =>
    describeWithBackend('couchdb', 'x', () => {}, { STORE_TEST_REQUIRE: 'redis-clutser' }),
  ).toThrow('STORE_TEST_REQUIRE names unknown backend(s) redis-clutser');
});

describe('useStarted', () => {
  let stopped: string | undefined;
  describe('inner', () => {
    const value = useStarted(
      'thing',
      async () => 'started',
      async (v) => {
        stopped = v;
      },
    );
    test('gives the started value inside tests', () => {
      expect(value()).toBe('started');
      expect(stopped).toBeUndefined();
    });
  });
  test('stops it after the block', () => {
    expect(stopped).toBe('started');
  });
});

describe('uniquePrefix', () => {
  test('is unique per call and keeps the label readable', () => {
    const a = uniquePrefix('redis store');
    const b = uniquePrefix('redis store');
    expect(a).toMatch(/^t:redis_store:[0-9a-f]{12}:$/);
    expect(a).not.toBe(b);
  });
});
