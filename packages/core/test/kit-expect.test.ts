import { AssertionError } from 'node:assert';
import { describe, expect as jestExpect, test } from '@jest/globals';
import { expect } from '../src/conformance';

/** The failure `run` throws, or a failure of this test when it throws none. */
function failureOf(run: () => void): AssertionError {
  try {
    run();
  } catch (err) {
    jestExpect(err).toBeInstanceOf(AssertionError);
    return err as AssertionError;
  }
  throw new Error('expected an assertion failure');
}

describe("the kit's own expect", () => {
  test('passing matchers throw nothing', async () => {
    expect({ a: 1, b: undefined, d: new Date(5) }).toEqual({ a: 1, d: new Date(5) });
    expect([1, { x: [2] }]).toEqual([1, { x: [2] }]);
    expect({ code: 'E', extra: 1 }).toMatchObject({ code: 'E' });
    expect(Object.assign(new Error('m'), { code: 'E' })).toMatchObject({ code: 'E', message: 'm' });
    expect('connect.sid=s%3Aabc; Path=/').toMatch(/Path=\//);
    expect([1, 2]).toContain(2);
    expect([1, 2]).toHaveLength(2);
    expect(2).toBeGreaterThan(1);
    expect(null).toBeNull();
    expect(1).not.toBe(2);
    expect(() => undefined).not.toThrow();
    await expect(Promise.resolve(undefined)).resolves.toBeUndefined();
    await expect(Promise.reject(Object.assign(new Error('x'), { code: 'C' }))).rejects.toMatchObject({
      code: 'C',
    });
  });

  test('a failure is an AssertionError naming the matcher, with expected and actual', () => {
    const failure = failureOf(() => expect({ user: 'bob' }).toEqual({ user: 'alice' }));
    jestExpect(failure.message).toContain('expect(received).toEqual(expected)');
    jestExpect(failure.message).toContain("Expected: { user: 'alice' }");
    jestExpect(failure.message).toContain("Received: { user: 'bob' }");
    jestExpect(failure.message).toContain("Difference: .user: expected 'alice', received 'bob'");
    jestExpect(failure.expected).toEqual({ user: 'alice' });
    jestExpect(failure.actual).toEqual({ user: 'bob' });
  });

  test('a deep failure names where the values differ, an extra field included', () => {
    const failure = failureOf(() =>
      expect({ cookie: { path: '/' }, v: 1, __lastAccess: 5 }).toEqual({ cookie: { path: '/x' }, v: 1 }),
    );
    jestExpect(failure.message).toContain(
      "Difference: .cookie.path: expected '/x', received '/'; .__lastAccess: not expected, received 5",
    );
  });

  test('each matcher fails when it should', async () => {
    failureOf(() => expect({ a: 1 }).toEqual({ a: 1, b: 2 }));
    failureOf(() => expect({ a: 1 }).toMatchObject({ a: 2 }));
    failureOf(() => expect([1]).toMatchObject([1, 2]));
    failureOf(() => expect(new Date(1)).toEqual(new Date(2)));
    failureOf(() => expect(1).toBeNull());
    failureOf(() => expect(1).not.toBe(1));
    failureOf(() => expect('abc').toMatch(/x/));
    failureOf(() => expect(3).toBeLessThan(3));
    failureOf(() => expect(() => undefined).toThrow());
    await jestExpect(expect(Promise.resolve(1)).rejects.toBe(1)).rejects.toBeInstanceOf(AssertionError);
    await jestExpect(expect(Promise.reject(new Error('no'))).resolves.toBe(1)).rejects.toThrow(/rejected/);
  });
});
