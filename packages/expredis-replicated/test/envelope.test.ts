import { describe, expect, test } from '@jest/globals';
import { jsonEnvelope, parseStored, readHeader, textEnvelope, tombstoneEnvelope } from '../src/envelope';
import { VersionClock } from '../src/version-clock';

describe('the stored format', () => {
  test('a JSON session keeps its cookie first, with the cookie length in bytes in the header', () => {
    const cookie = JSON.stringify({ path: '/ü' });
    const value = jsonEnvelope(7, cookie, '{"user":42}');
    expect(value).toBe(`{"v":7,"n":${Buffer.byteLength(cookie)},"s":{"cookie":{"path":"/ü"},"user":42}}`);
    expect(Buffer.byteLength(cookie)).toBe(cookie.length + 1);
    expect(parseStored(value)).toEqual({
      kind: 'object',
      version: 7,
      session: { cookie: { path: '/ü' }, user: 42 },
      json: '{"cookie":{"path":"/ü"},"user":42}',
    });
  });

  test('a session with only a cookie, and one without a cookie', () => {
    expect(parseStored(jsonEnvelope(1, '{}', '{}'))).toEqual({
      kind: 'object',
      version: 1,
      session: { cookie: {} },
      json: '{"cookie":{}}',
    });
    expect(jsonEnvelope(2, undefined, '{"a":1}')).toBe('{"v":2,"s":{"a":1}}');
    expect(parseStored('{"v":2,"s":{"a":1}}')).toEqual({
      kind: 'object',
      version: 2,
      session: { a: 1 },
      json: '{"a":1}',
    });
  });

  test('custom serializer output is kept as a JSON string', () => {
    const value = textEnvelope(3, 'bin\u0000ary "text"');
    expect(value).toBe('{"v":3,"t":"bin\\u0000ary \\"text\\""}');
    expect(parseStored(value)).toEqual({ kind: 'text', version: 3, text: 'bin\u0000ary "text"' });
  });

  test('a tombstone carries only its version', () => {
    expect(tombstoneEnvelope(9)).toBe('{"v":9,"d":1}');
    expect(readHeader(tombstoneEnvelope(9))).toEqual({ version: 9, kind: 'tombstone' });
    expect(parseStored(tombstoneEnvelope(9))).toEqual({ kind: 'tombstone', version: 9 });
  });

  test('anything without the header is a legacy (expredis) value of version 0', () => {
    const legacy = '{"cookie":{"path":"/"},"v":5}';
    expect(readHeader(legacy)).toEqual({ version: 0, kind: 'legacy' });
    expect(parseStored(legacy)).toEqual({ kind: 'text', version: 0, text: legacy });
    expect(readHeader('not json')).toEqual({ version: 0, kind: 'legacy' });
  });

  test('the header is exactly {"v":<1 to 16 digits>,"<n|s|t|d>":', () => {
    expect(readHeader('{"v":1234567890123456,"s":{}}')).toEqual({
      version: 1234567890123456,
      kind: 'session',
    });
    expect(readHeader('{"v":0,"n":2,"s":{"cookie":{}}}')).toEqual({ version: 0, kind: 'session' });
    for (const legacy of [
      '{"v":12345678901234567,"s":{}}', // 17 digits
      '{"v":,"s":{}}',
      '{"v":1,"x":{}}',
      '{"v":1 ,"s":{}}',
      '{"v":-1,"s":{}}',
      '{"v":1,"s"',
      '{"v":1',
      '{"v"',
      '',
      ' {"v":1,"s":{}}',
    ]) {
      expect({ legacy, header: readHeader(legacy) }).toEqual({
        legacy,
        header: { version: 0, kind: 'legacy' },
      });
    }
  });

  test('a session is read the same whatever follows it in the envelope', () => {
    // The session's JSON (core's merge base) only where it parses on its own.
    expect(parseStored('{"v":1,"s":{"a":1},"x":2}')).toStrictEqual({
      kind: 'object',
      version: 1,
      session: { a: 1 },
      json: undefined,
    });
    expect(parseStored('{"v":1,"n":2,"s":{"a":"}"} }')).toEqual({
      kind: 'object',
      version: 1,
      session: { a: '}' },
      json: '{"a":"}"} ',
    });
    expect(() => parseStored('{"v":1,"n":,"s":{"a":1}}')).toThrow(SyntaxError);
    expect(() => parseStored('{"v":1,"s":{"a":1}}}')).toThrow(SyntaxError);
    expect(() => parseStored('{"v":1,"s":{"a":1}')).toThrow(SyntaxError);
  });

  test('a value with the header but a broken body is refused', () => {
    expect(() => parseStored('{"v":1,"s":{"a":')).toThrow(SyntaxError);
    expect(() => parseStored('{"v":1,"s":[1]}')).toThrow(TypeError);
    expect(() => parseStored('{"v":1,"t":5}')).toThrow(TypeError);
  });
});

describe('versions', () => {
  test('strictly increase, close to the clock in microseconds', () => {
    const clock = new VersionClock();
    const before = Date.now() * 1000;
    const versions = Array.from({ length: 5000 }, () => clock.next());
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1] as number);
    expect(versions[0]).toBeGreaterThanOrEqual(before);
    expect(Number.isSafeInteger(versions.at(-1))).toBe(true);
  });

  test('a version read from a clock ahead of ours is overtaken by the next write', () => {
    const clock = new VersionClock();
    const ahead = Date.now() * 1000 + 5 * 60 * 1_000_000;
    clock.observe(ahead);
    expect(clock.next()).toBeGreaterThan(ahead);
  });

  test('a version absurdly far in the future is not adopted', () => {
    const clock = new VersionClock();
    const absurd = Date.now() * 1000 + 10 * 365 * 86_400 * 1_000_000;
    clock.observe(absurd);
    expect(clock.next()).toBeLessThan(absurd);
  });
});
