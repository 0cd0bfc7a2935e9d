import { InvalidOptionError } from './errors';

/** Longest accepted key prefix, in characters. */
export const MAX_PREFIX_LENGTH = 256;

/**
 * Checks a key prefix: a string without control characters, at most
 * {@link MAX_PREFIX_LENGTH} long. The empty string is allowed (no prefix).
 * @throws InvalidOptionError naming `prefix`.
 */
export function validatePrefix(prefix: unknown, fallback: string): string {
  if (prefix === undefined || prefix === null) return fallback;
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', `expected a string, got ${typeof prefix}`);
  }
  if (prefix.length > MAX_PREFIX_LENGTH) {
    throw new InvalidOptionError('prefix', `longer than ${MAX_PREFIX_LENGTH} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(prefix)) {
    throw new InvalidOptionError('prefix', 'must not contain control characters');
  }
  return prefix;
}

/** Escapes Redis glob metacharacters so a prefix matches itself only in `SCAN MATCH`. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, '\\$&');
}
