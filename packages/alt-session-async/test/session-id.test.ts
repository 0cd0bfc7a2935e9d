import { expect, test } from '@jest/globals';
import { generateSessionId, isSessionId } from '../src/session-id';

test('generateSessionId gives 32 base64url characters, and no repeats in 100,000', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 100_000; i++) ids.add(generateSessionId());
  expect(ids.size).toBe(100_000);
  for (const id of [...ids].slice(0, 1000)) expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
});

test('isSessionId accepts only that shape', () => {
  expect(isSessionId(generateSessionId())).toBe(true);
  for (const bad of [
    false,
    null,
    undefined,
    42,
    '',
    'false',
    'a'.repeat(31),
    'a'.repeat(33),
    `${'a'.repeat(31)}+`,
    `${'a'.repeat(31)}=`,
  ]) {
    expect(isSessionId(bad)).toBe(false);
  }
});
