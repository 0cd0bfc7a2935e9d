import { randomBytes } from 'node:crypto';
import { InvalidOptionError, isPlainObject, optionalString, rejectUnknownKeys } from '@session-stores/core';
import type { AsyncSession } from './async-session';
import { MemoryBackend } from './memory-backend';
import type { AltSessionOptions } from './options';
import { Session } from './session';
import type { FieldEntry } from './session-backend';
import { type AltSessionHandler, sessionHandler } from './session-handler';
import { generateSessionId } from './session-id';
import { checkKey } from './session-keys';
import { checkOptionsObject, resolveSessionSettings, type SessionSettings } from './session-settings';
import { decodeStored, encodeStored } from './stored-value';
import {
  MemoryUserIndex,
  resolveUserSessionSettings,
  type UserSessionsApi,
  userSessionMethods,
  withUserSessions,
} from './user-sessions';

/**
 * Options of {@link mock}: the middleware's own options, all optional. The connection
 * options (`redis`, `url`, `client`, `commandTimeout`) are accepted and ignored, so an app's
 * configuration can be passed as it is; so is `encryption` (checked, but values in memory are
 * not at rest); without `secret` a random one is used.
 */
export type MockOptions = Partial<AltSessionOptions>;

/** The in-memory middleware, with a look inside for assertions. */
export interface MockMiddleware extends AltSessionHandler, UserSessionsApi {
  /** The stored data of session `id` (decoded), or undefined when there is none. */
  inspect(id: string): Record<string, unknown> | undefined;
  /** How many sessions are stored (not expired). */
  size(): number;
  /** Does nothing: parity with the real middleware's `close()`. */
  close(): Promise<void>;
}

/** Options of {@link createTestSession}. */
export interface TestSessionOptions {
  /** The session id. Default: a random one, as the middleware would issue. */
  id?: string | undefined;
  /** Stored data to start with; then `isNew` is false. Without it the session is new and empty. */
  data?: Readonly<Record<string, unknown>> | undefined;
  /** Idle timeout in seconds, or false; as `session.tti`. Default 300. */
  tti?: number | false | undefined;
  /** Absolute lifetime in seconds; as `maxLifetime`. Default none. */
  maxLifetime?: number | undefined;
}

/** A stand-alone session for unit tests: the {@link AsyncSession} API, in memory. */
export interface TestSession extends AsyncSession {
  /** Everything stored in the session now, decoded: for assertions. */
  snapshot(): Record<string, unknown>;
}

function decodeAll(id: string, entries: ReadonlyMap<string, string>): Record<string, unknown> {
  return Object.fromEntries([...entries].map(([key, text]) => [key, decodeStored(id, key, text)]));
}

/**
 * An in-memory stand-in for the middleware, for an app's tests: `app.use(altSession.mock())`.
 * It behaves as the real one does (cookies, signatures, id checks, lazy sessions, expiry,
 * `invalidate`, `regenerate`, the bridge), with a store of its own: each call makes a new,
 * empty one, so two apps (or two tests) never share sessions. No Redis, no extra dependency.
 */
export function mock(options: MockOptions = {}): MockMiddleware {
  const checked = checkOptionsObject(options);
  const settings = resolveSessionSettings(checked, false);
  const secrets = settings.secrets.length > 0 ? settings.secrets : [randomBytes(32).toString('base64url')];
  const backend = new MemoryBackend(settings);
  const { backend: used, users } = withUserSessions(
    backend,
    resolveUserSessionSettings(checked),
    () => new MemoryUserIndex((id) => backend.entries(id) !== undefined),
  );
  const handler = sessionHandler(used, { ...settings, secrets });
  return Object.assign(handler, userSessionMethods(users), {
    inspect(id: string) {
      const entries = backend.entries(id);
      return entries === undefined ? undefined : decodeAll(id, entries);
    },
    size: () => backend.size(),
    close: async () => undefined,
  });
}

class MemoryTestSession extends Session implements TestSession {
  readonly #memory: MemoryBackend;

  constructor(memory: MemoryBackend, id: string, stored: boolean) {
    super(memory, { id: stored ? id : undefined, cookiePresent: stored }, id);
    this.#memory = memory;
  }

  snapshot(): Record<string, unknown> {
    const entries = this.#memory.entries(this.id);
    return entries === undefined ? {} : decodeAll(this.id, entries);
  }
}

/**
 * A session object for unit tests of code that takes a session (a service, a route handler
 * called directly), with the same API as `req.session`: promises and callbacks, JSON values
 * with Dates, key checks, `invalidate`, `regenerate`, expiry. Each call has its own memory.
 * @throws InvalidOptionError for invalid options.
 */
export function createTestSession(options: TestSessionOptions = {}): TestSession {
  if (!isPlainObject(options)) throw new InvalidOptionError('options', 'expected an object');
  rejectUnknownKeys(options, ['id', 'data', 'tti', 'maxLifetime'], '');
  const id = optionalString(options.id, 'id') ?? generateSessionId();
  let settings: SessionSettings;
  try {
    settings = resolveSessionSettings(
      { session: { tti: options.tti }, maxLifetime: options.maxLifetime },
      false,
    );
  } catch (err) {
    // Name the option as this function spells it.
    if (err instanceof InvalidOptionError && err.option === 'session.tti') {
      throw new InvalidOptionError('tti', err.message.replace(/^Invalid option "session\.tti": /, ''));
    }
    throw err;
  }
  const memory = new MemoryBackend(settings);
  const { data } = options;
  if (data !== undefined && !isPlainObject(data)) throw new InvalidOptionError('data', 'expected an object');
  const session = new MemoryTestSession(memory, id, data !== undefined);
  if (data !== undefined) {
    const entries: FieldEntry[] = Object.entries(data).map(([key, value]): FieldEntry => {
      try {
        checkKey(key, `data.${key}`);
        return [key, encodeStored(id, key, value)];
      } catch (err) {
        throw new InvalidOptionError(`data.${key}`, (err as Error).message);
      }
    });
    memory.seed(id, entries);
  }
  return session;
}
