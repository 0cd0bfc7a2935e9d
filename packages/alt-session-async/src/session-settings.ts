import {
  createValueCipher,
  describeType,
  type EncryptionKey,
  InvalidOptionError,
  isPlainObject,
  optionalBoolean,
  optionalGroup,
  optionalSeconds,
  optionalString,
  rejectUnknownKeys,
  type ValueCipher,
} from '@session-stores/core';
import { serialize } from 'cookie';

/** The cookie attributes in effect. */
export interface CookieSettings {
  readonly name: string;
  readonly path: string;
  readonly domain: string | undefined;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: 'lax' | 'strict' | 'none' | false;
  readonly maxAgeSeconds: number | undefined;
}

/** How long sessions live, in ms; 0 means "no such limit". */
export interface LifetimeSettings {
  readonly ttiMs: number;
  readonly maxLifetimeMs: number;
}

/** Everything but the Redis connection, validated and with defaults. */
export interface SessionSettings extends LifetimeSettings {
  readonly prefix: string;
  readonly cookie: CookieSettings;
  readonly secrets: readonly string[];
  /** Encryption at rest of the values, when the `encryption` option is given. */
  readonly encryption?: { readonly cipher: ValueCipher; readonly allowPlaintext: boolean } | undefined;
}

/** Defaults, as in alt-session where it had them. */
export const DEFAULT_TTI_SECONDS = 300;
export const DEFAULT_PREFIX = 'session';
export const DEFAULT_COOKIE_NAME = 'sid';
/** Browsers (Chrome, and the cookie RFC draft) cap a cookie's lifetime at 400 days. */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 3600;
/** Longer than any session should live; mostly a guard against values meant as ms. */
const MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

const TOP_LEVEL = [
  'redis',
  'url',
  'client',
  'session',
  'cookie',
  'maxLifetime',
  'secret',
  'commandTimeout',
  'userKey',
  'maxSessionsPerUser',
  'encryption',
] as const;
const SESSION_KEYS = ['dbIndex', 'tti', 'prefix', 'secure', 'domain'] as const;
const ENCRYPTION_KEYS = ['keys', 'allowPlaintext'] as const;
const COOKIE_KEYS = ['name', 'path', 'domain', 'secure', 'httpOnly', 'sameSite', 'maxAge'] as const;
/** RFC 6265 cookie-name: an HTTP token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The top-level option names, for the unknown-key check. */
export const KNOWN_OPTIONS: readonly string[] = TOP_LEVEL;

/** `options` must be an object with only known keys. */
export function checkOptionsObject(options: unknown): Record<string, unknown> {
  if (!isPlainObject(options)) {
    throw new InvalidOptionError('options', 'expected an object: { redis | url | client, secret, ... }');
  }
  rejectUnknownKeys(options, KNOWN_OPTIONS, '');
  return options;
}

function resolveSecrets(value: unknown, required: boolean): readonly string[] | undefined {
  if (value === undefined) {
    if (!required) return undefined;
    throw new InvalidOptionError('secret', 'required: a string, or an array of strings (first signs)');
  }
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidOptionError('secret', 'expected a non-empty string or a non-empty array of strings');
  }
  list.forEach((secret: unknown, index) => {
    const name = typeof value === 'string' ? 'secret' : `secret[${index}]`;
    if (typeof secret !== 'string' || secret === '') {
      throw new InvalidOptionError(name, 'expected a non-empty string');
    }
  });
  return [...(list as string[])];
}

function resolveTti(value: unknown): number {
  if (value === undefined) return DEFAULT_TTI_SECONDS * 1000;
  if (value === false) return 0;
  if (value === 0) {
    // alt-session read 0 as 300 (`||`); say what you mean instead.
    throw new InvalidOptionError(
      'session.tti',
      '0 is ambiguous: use false for no idle timeout, or leave it out for 300 seconds',
    );
  }
  const seconds = optionalSeconds(value, 'session.tti', MAX_LIFETIME_SECONDS) as number;
  return toMilliseconds(seconds, 'session.tti');
}

function toMilliseconds(seconds: number, name: string): number {
  const ms = Math.round(seconds * 1000);
  if (ms < 1) throw new InvalidOptionError(name, 'at least 0.001 seconds');
  return ms;
}

/** Two spellings of one setting (alt-session's and ours) must agree when both are given. */
function oneOf<T>(
  ours: T | undefined,
  legacy: T | undefined,
  oursName: string,
  legacyName: string,
): T | undefined {
  if (ours !== undefined && legacy !== undefined && ours !== legacy) {
    throw new InvalidOptionError(legacyName, `conflicts with ${oursName}; give only one`);
  }
  return ours ?? legacy;
}

function resolveCookie(cookie: Record<string, unknown>, session: Record<string, unknown>): CookieSettings {
  rejectUnknownKeys(cookie, COOKIE_KEYS, 'cookie');
  const name = optionalString(cookie.name, 'cookie.name') ?? DEFAULT_COOKIE_NAME;
  if (!COOKIE_NAME.test(name))
    throw new InvalidOptionError('cookie.name', 'not a valid cookie name (an HTTP token)');
  const path = optionalString(cookie.path, 'cookie.path') ?? '/';
  if (!path.startsWith('/')) throw new InvalidOptionError('cookie.path', "must start with '/'");
  const domain = oneOf(
    optionalString(cookie.domain, 'cookie.domain'),
    optionalString(session.domain, 'session.domain'),
    'cookie.domain',
    'session.domain',
  );
  const secure =
    oneOf(
      optionalBoolean(cookie.secure, 'cookie.secure', describeType),
      optionalBoolean(session.secure, 'session.secure', describeType),
      'cookie.secure',
      'session.secure',
    ) ?? false;
  const httpOnly = optionalBoolean(cookie.httpOnly, 'cookie.httpOnly', describeType) ?? true;
  const sameSite = cookie.sameSite === undefined ? 'lax' : cookie.sameSite;
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none' && sameSite !== false) {
    throw new InvalidOptionError('cookie.sameSite', "expected 'lax', 'strict', 'none' or false");
  }
  if (sameSite === 'none' && !secure) {
    throw new InvalidOptionError(
      'cookie.sameSite',
      "'none' needs cookie.secure: true (browsers reject it otherwise)",
    );
  }
  const maxAgeSeconds = optionalSeconds(cookie.maxAge, 'cookie.maxAge', MAX_COOKIE_AGE_SECONDS);
  // The cookie library has the exact rules for path and domain values; ask it once, at startup.
  for (const [option, attributes] of [
    ['cookie.path', { path }],
    ['cookie.domain', { domain }],
  ] as const) {
    try {
      serialize(name, 'x', attributes);
    } catch (err) {
      throw new InvalidOptionError(option, (err as Error).message);
    }
  }
  return {
    name,
    path,
    domain,
    secure,
    httpOnly,
    sameSite,
    maxAgeSeconds: maxAgeSeconds === undefined ? undefined : Math.floor(maxAgeSeconds),
  };
}

/**
 * Validates everything but the Redis connection and applies the defaults.
 * @param secretRequired false for the test double, which signs with a random key when none is given.
 * @throws InvalidOptionError naming the first invalid option.
 */
export function resolveSessionSettings(
  options: Record<string, unknown>,
  secretRequired = true,
): SessionSettings {
  const session = optionalGroup(options.session, 'session');
  const cookie = optionalGroup(options.cookie, 'cookie');
  rejectUnknownKeys(session, SESSION_KEYS, 'session');
  const prefix = optionalString(session.prefix, 'session.prefix') ?? DEFAULT_PREFIX;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(prefix) || prefix.length > 256) {
    throw new InvalidOptionError('session.prefix', 'at most 256 characters, no control characters');
  }
  const maxLifetime = optionalSeconds(options.maxLifetime, 'maxLifetime', MAX_LIFETIME_SECONDS);
  return {
    prefix,
    ttiMs: resolveTti(session.tti),
    maxLifetimeMs: maxLifetime === undefined ? 0 : toMilliseconds(maxLifetime, 'maxLifetime'),
    cookie: resolveCookie(cookie, session),
    secrets: resolveSecrets(options.secret, secretRequired) ?? [],
    encryption: resolveEncryption(options.encryption),
  };
}

/** The `encryption` group: core's value cipher, and whether values stored in clear are still read. */
function resolveEncryption(value: unknown): SessionSettings['encryption'] {
  if (value === undefined) return undefined;
  const group = optionalGroup(value, 'encryption');
  rejectUnknownKeys(group, ENCRYPTION_KEYS, 'encryption');
  const allowPlaintext = optionalBoolean(group.allowPlaintext, 'encryption.allowPlaintext') ?? false;
  return {
    cipher: createValueCipher(group.keys as readonly EncryptionKey[], 'encryption.keys'),
    allowPlaintext,
  };
}
