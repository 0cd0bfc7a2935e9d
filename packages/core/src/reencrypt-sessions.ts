import type { EncryptingSerializer } from './encrypting-serializer';
import { InvalidOptionError } from './errors';
import { loadedOf } from './overlap';
import type { SessionStore } from './session-store';

/** Options of {@link reencryptSessions}. */
export interface ReencryptOptions {
  /** The encrypting serializer the store was created with (its first key is the one to move to). Required. */
  readonly serializer: EncryptingSerializer;
  /** How many sessions are rewritten at once. Default 8. */
  readonly concurrency?: number | undefined;
  /**
   * Also rewrite sessions whose cookie sets no expiry (browser-session cookies, no
   * `cookie.maxAge`). The store cannot tell how long such a session had left, so a
   * rewrite gives it the store's `ttl` afresh, as its next request would. Default `false`:
   * they are counted in `skippedWithoutExpiry` and left under their old key.
   */
  readonly includeWithoutExpiry?: boolean | undefined;
  /**
   * Run even where saves are plain writes (a store without `conditionalWrites`, or with
   * `lastWriteWins: true`): a session destroyed between its read and its rewrite then comes
   * back until it expires. Default `false`: such a store fails with `ERR_INVALID_OPTION`.
   */
  readonly allowUnconditional?: boolean | undefined;
}

/** What {@link reencryptSessions} did, session by session. */
export interface ReencryptReport {
  /** Ids listed by the store. */
  scanned: number;
  /** Sessions saved again, now under the current key. */
  rewritten: number;
  /** Sessions already under the current key, left alone. */
  current: number;
  /** Sessions that were gone (destroyed, expired) when read or when saved: nothing written. */
  gone: number;
  /** Sessions without a cookie expiry, left alone (see `includeWithoutExpiry`). */
  skippedWithoutExpiry: number;
}

const DEFAULT_CONCURRENCY = 8;

/**
 * Re-encrypts every session of `store` under the serializer's current (first) key, so
 * older keys can be retired. Sessions already under it are left alone, so a run that was
 * interrupted can simply be started again.
 *
 * Each session goes through the store's own `get()` and `set()`, so the overlapping
 * requests protection applies: a session destroyed (logout) or changed by a request while
 * it is being rewritten stays destroyed, or keeps that request's change. The expiry is the
 * one the store's TTL rule gives the session, from its `cookie.expires`: unchanged.
 *
 * @throws InvalidOptionError when the store's saves are plain writes and `allowUnconditional` is not set.
 */
export async function reencryptSessions(
  store: SessionStore,
  options: ReencryptOptions,
): Promise<ReencryptReport> {
  const { serializer } = options;
  if (
    !serializer ||
    typeof serializer.keyIdOf !== 'function' ||
    typeof serializer.currentKeyId !== 'string'
  ) {
    throw new InvalidOptionError(
      'serializer',
      'expected the serializer createEncryptingSerializer() returned',
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError('concurrency', 'expected a positive integer');
  }
  const allowUnconditional = options.allowUnconditional === true;
  if (!store.capabilities.conditionalWrites && !allowUnconditional) {
    throw unconditional(store);
  }

  const ids = await store.ids();
  const report: ReencryptReport = {
    scanned: ids.length,
    rewritten: 0,
    current: 0,
    gone: 0,
    skippedWithoutExpiry: 0,
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const sid = ids[next++] as string;
      const session = await store.get(sid);
      if (!session) {
        report.gone += 1;
        continue;
      }
      if (serializer.keyIdOf(session) === serializer.currentKeyId) {
        report.current += 1;
        continue;
      }
      const expires = (session as { cookie?: { expires?: unknown } }).cookie?.expires;
      if ((expires === undefined || expires === null) && options.includeWithoutExpiry !== true) {
        report.skippedWithoutExpiry += 1;
        continue;
      }
      // A session the store remembers loading is saved only over that copy; one it does not
      // (lastWriteWins: true) would be a plain write that can undo a logout.
      const conditional = loadedOf(session, store) !== undefined;
      if (!conditional && !allowUnconditional) throw unconditional(store);
      await store.set(sid, session);
      // A conditional save that found the session gone forgets what was loaded, and wrote nothing.
      if (conditional && loadedOf(session, store) === undefined) report.gone += 1;
      else report.rewritten += 1;
    }
  };
  const stopOthers = (err: unknown): never => {
    next = ids.length;
    throw err;
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, Math.max(ids.length, 1)) }, () => worker().catch(stopOthers)),
  );
  return report;
}

function unconditional(store: SessionStore): InvalidOptionError {
  return new InvalidOptionError(
    'allowUnconditional',
    `${store.constructor.name} saves with plain writes here (no conditionalWrites, or lastWriteWins: true): ` +
      'a session destroyed during its rewrite would come back; pass allowUnconditional: true to accept that',
  );
}
