import { describe, expect, test } from '@jest/globals';
import { ErrorCode, resolveTtl, type SessionData, validateTtlSettings } from '../src';

const NOW = Date.UTC(2026, 0, 1);
const withCookie = (cookie: Record<string, unknown>): SessionData => ({ cookie }) as unknown as SessionData;

describe('resolveTtl: the one TTL rule', () => {
  test('a ttl function wins over cookie.expires', () => {
    const session = withCookie({ expires: new Date(NOW + 60_000) });
    expect(resolveTtl(session, { ttl: () => 5 }, NOW)).toEqual({
      kind: 'expire',
      ms: 5000,
      seconds: 5,
      at: NOW + 5000,
    });
  });

  test('cookie.expires (Date or ISO string) wins over maxAge and the default', () => {
    const date = withCookie({ expires: new Date(NOW + 1500), maxAge: 99_000 });
    const iso = withCookie({ expires: new Date(NOW + 1500).toISOString() });
    expect(resolveTtl(date, { ttl: 100 }, NOW)).toEqual({
      kind: 'expire',
      ms: 1500,
      seconds: 2,
      at: NOW + 1500,
    });
    expect(resolveTtl(iso, {}, NOW)).toEqual({ kind: 'expire', ms: 1500, seconds: 2, at: NOW + 1500 });
  });

  test('cookie.maxAge is used when there is no expires', () => {
    expect(resolveTtl(withCookie({ maxAge: 30_000 }), {}, NOW)).toEqual({
      kind: 'expire',
      ms: 30_000,
      seconds: 30,
      at: NOW + 30_000,
    });
  });

  test('the ttl number, else one day, when the cookie sets no expiry', () => {
    expect(resolveTtl(withCookie({ expires: null }), { ttl: 100 }, NOW)).toMatchObject({ seconds: 100 });
    expect(resolveTtl({} as SessionData, {}, NOW)).toMatchObject({ seconds: 86_400 });
  });

  test('zero or less means expired, from any source', () => {
    expect(resolveTtl(withCookie({ expires: new Date(NOW - 1) }), {}, NOW)).toEqual({ kind: 'expired' });
    expect(resolveTtl(withCookie({ expires: new Date(NOW) }), {}, NOW)).toEqual({ kind: 'expired' });
    expect(resolveTtl(withCookie({ maxAge: -5 }), {}, NOW)).toEqual({ kind: 'expired' });
    expect(resolveTtl({} as SessionData, { ttl: () => 0 }, NOW)).toEqual({ kind: 'expired' });
  });

  test('disableTTL never expires, but an already expired cookie is still deleted', () => {
    expect(resolveTtl(withCookie({ maxAge: 1000 }), { disableTTL: true }, NOW)).toEqual({ kind: 'never' });
    expect(resolveTtl(withCookie({ expires: new Date(NOW - 1) }), { disableTTL: true }, NOW)).toEqual({
      kind: 'expired',
    });
  });

  test('sub-second remainders round up to whole seconds but keep their milliseconds', () => {
    expect(resolveTtl(withCookie({ maxAge: 1 }), {}, NOW)).toEqual({
      kind: 'expire',
      ms: 1,
      seconds: 1,
      at: NOW + 1,
    });
    expect(resolveTtl(withCookie({ maxAge: 1000.2 }), {}, NOW)).toEqual({
      kind: 'expire',
      ms: 1001,
      seconds: 2,
      at: NOW + 1001,
    });
  });

  test('an invalid expires string falls back to maxAge', () => {
    expect(resolveTtl(withCookie({ expires: 'not a date', maxAge: 2000 }), {}, NOW)).toMatchObject({
      ms: 2000,
    });
  });

  test('a ttl function returning something else than a number is an invalid option', () => {
    expect(() => resolveTtl({} as SessionData, { ttl: () => 'soon' as unknown as number }, NOW)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption, option: 'ttl' }),
    );
  });
});

describe('validateTtlSettings', () => {
  test.each([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY], ['60'], [true], [{}]])(
    'rejects ttl %p',
    (ttl) => {
      expect(() => validateTtlSettings({ ttl: ttl as number })).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOption, option: 'ttl' }),
      );
    },
  );

  test('ttl: 0 explains the alternative', () => {
    expect(() => validateTtlSettings({ ttl: 0 })).toThrow(/disableTTL: true/);
  });

  test('accepts numbers, functions and nothing', () => {
    expect(() => validateTtlSettings({ ttl: 1 })).not.toThrow();
    expect(() => validateTtlSettings({ ttl: 0.5 })).not.toThrow();
    expect(() => validateTtlSettings({ ttl: () => 3 })).not.toThrow();
    expect(() => validateTtlSettings({})).not.toThrow();
  });

  test('disableTTL must be a boolean', () => {
    expect(() => validateTtlSettings({ disableTTL: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({ option: 'disableTTL' }),
    );
  });
});
