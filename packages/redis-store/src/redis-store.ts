import {
  BackendMisconfiguredError,
  BackendUnavailableError,
  type ConditionalWriteResult,
  escapeGlob,
  InvalidOptionError,
  SerializeError,
  type SessionData,
  SessionStore,
  type SessionStoreError,
  type StoreCapabilities,
  type UserLink,
  type WriteTtl,
} from '@session-stores/core';
import type { ClientAdapter } from './client-adapter';
import type { RedisClientLike } from './client-types';
import { MAX_KEYS_PER_COMMAND } from './command-limits';
import { classifyRedisError, isConfigError, isWrongType } from './errors';
import { groupBySlot } from './hash-slot';
import { InvalidationChannel, type TrackingClient } from './invalidation-channel';
import { isJsonSerializer } from './json-serializer';
import { runScript, sha1Hex } from './lua';
import { DEFAULT_PREFIX, type RedisStoreOptions, resolveRedisSettings } from './options';
import { openClient, RedisConnection } from './redis-connection';
import { expiryFromPttl, replyNumber, replyText } from './reply';
import { rewriteStored } from './rewrite-stored';
import { scanKeys } from './scan';
import {
  CLEAR_PAGE,
  COMPARE_AND_SET,
  COMPARE_AND_SET_INDEXED,
  INDEX_ONLY,
  ScriptReply,
  SET_INDEXED,
  scriptTtl,
  TOUCH_JSON,
} from './scripts';
import { type CachedSession, SessionCache } from './session-cache';
import {
  indexChange,
  indexScore,
  USER_INDEX_MARK,
  type UserIndexPlan,
  userIndexKey,
  userIndexPlan,
} from './user-index-plan';

const ignoreReply = (): void => undefined;

/**
 * A session store for express-session on Redis: a superset of connect-redis with the
 * same data layout (a JSON string at `sess:<sid>`), for node-redis (v4, v5) and ioredis
 * clients, Redis Cluster and Sentinel.
 *
 * @example
 * const client = createClient({ url: process.env.REDIS_URL });
 * await client.connect();
 * app.use(session({ store: new RedisStore({ client }), secret, resave: false, saveUninitialized: false }));
 */
export class RedisStore extends SessionStore {
  static override readonly backend = 'redis';
  static override readonly capabilities: StoreCapabilities = {
    methods: { touch: true, all: true, length: true, clear: true, ids: true },
    ttlGranularityMs: 1,
    expiresOnServer: true,
    prefixIsolation: true,
    events: { connect: true, disconnect: true },
    replicationLagMs: 0,
    conditionalWrites: true,
    userSessions: true,
  };

  /** The client in use: the one given in `client`, or the one the store created. */
  readonly client: RedisClientLike;
  /** Whether the store created its client, and so closes it in `close()`. */
  readonly ownsClient: boolean;
  /** The `SCAN ... COUNT` hint in use. */
  readonly scanCount: number;
  /** The budget of one Redis round trip in ms. */
  readonly commandTimeout: number;

  /**
   * The client's connection, bounding every round trip. It says `disconnect` when a round
   * trip finds a server stalled while its client still looks connected (a network partition,
   * a dead cluster master, a failover node-redis Sentinel does not report), and `connect`
   * once every master answers again.
   */
  private readonly connection: RedisConnection;
  private readonly adapter: ClientAdapter;
  /** Sessions are plain JSON, so touch can splice the cookie in on the server. */
  private readonly editsJsonInPlace: boolean;
  /** The `clientCache` option: sessions read, kept right by Redis client tracking. */
  private readonly cache: SessionCache | undefined;
  private readonly invalidations: InvalidationChannel | undefined;

  /** @param options see {@link RedisStoreOptions}; all are optional. */
  constructor(options: RedisStoreOptions = {}) {
    super(options, { prefix: DEFAULT_PREFIX });
    const settings = resolveRedisSettings(options);
    const opened = openClient(settings.client, settings.connection);
    this.client = opened.client;
    this.ownsClient = opened.owned;
    this.scanCount = settings.scanCount;
    this.commandTimeout = settings.commandTimeout;
    this.adapter = opened.adapter;
    if (settings.unref && !this.adapter.unref()) {
      throw new InvalidOptionError(
        'unref',
        `not supported with a ${this.adapter.family} ${this.adapter.topology} client`,
      );
    }
    this.editsJsonInPlace = isJsonSerializer(this.serializer);

    const logError = settings.logErrors;
    if (settings.clientCache) {
      const tracking = this.client as unknown as TrackingClient;
      if (
        this.adapter.family !== 'node-redis' ||
        this.adapter.topology !== 'single' ||
        typeof tracking.duplicate !== 'function' ||
        tracking.withTypeMapping === undefined
      ) {
        throw new InvalidOptionError(
          'clientCache',
          `needs a node-redis 5 single-server client (got a ${this.adapter.family} ${this.adapter.topology} client)`,
        );
      }
      this.cache = new SessionCache(settings.clientCache.maxAgeMs, settings.clientCache.maxEntries);
      this.invalidations = new InvalidationChannel(this.cache, this.prefix, (err) => {
        if (logError) logError(err);
      });
      this.invalidations.open(tracking);
    }
    this.connection = new RedisConnection(opened, {
      commandTimeout: this.commandTimeout,
      notConnectedError: (ms, hint, last) => {
        if (hint) return new BackendMisconfiguredError(`RedisStore: ${hint}`);
        // Wrong credentials look like an outage from here; the client's last error tells them apart.
        if (isConfigError(last)) {
          const reason = (last as Error).message;
          return new BackendMisconfiguredError(`RedisStore: cannot connect to Redis: ${reason}`, {
            cause: last,
          });
        }
        const message = `RedisStore: no connection to Redis within ${ms} ms (commandTimeout)`;
        return new BackendUnavailableError(message, { cause: last });
      },
      noAnswerError: (ms) =>
        new BackendUnavailableError(`RedisStore: Redis did not answer within ${ms} ms (commandTimeout)`),
      events: {
        up: () => this.setConnected(true),
        down: () => this.setConnected(false),
        stalled: () => this.setConnected(false),
        error: logError || undefined,
      },
    });
    this.connection.start();
  }

  /** With `clientCache`: how many sessions the cache holds (0 while it is not serving). */
  get cachedSessions(): number {
    return this.cache?.size ?? 0;
  }

  /** With `clientCache`: whether the cache is serving (its invalidation connection is up and tracking is on). */
  get clientCacheLive(): boolean {
    return this.cache?.isLive === true;
  }

  // ---- primitives ------------------------------------------------------------

  // get, set and destroy chain promises instead of awaiting: they are the hot path, and
  // each async frame costs a little throughput.

  protected override readSession(sid: string): Promise<SessionData | null> {
    const key = this.key(sid);
    const cache = this.cache;
    if (cache?.isLive) return this.readThroughCache(sid, key, cache);
    if (this.touchMargin > 0) return this.readWithExpiry(sid, key);
    return this.send(key, ['GET', key]).then(
      (reply) => {
        if (reply == null) return null;
        const text = replyText(reply);
        // The text read is the version a later save compares against.
        return this.rememberLoaded(sid, this.decode(sid, text), text, text);
      },
      (err: unknown) => {
        if (isWrongType(err)) return this.corruptData(sid, err);
        throw err;
      },
    );
  }

  /**
   * With `clientCache`: the session from the cache when it holds it, else from Redis (then
   * cached). The lookup waits for the end of the I/O phase that brought the request in, so an
   * invalidation that reached this process with it is applied first.
   */
  private readThroughCache(sid: string, key: string, cache: SessionCache): Promise<SessionData | null> {
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const hit = cache.lookup(key);
      if (hit) return this.rememberLoaded(sid, this.decode(sid, hit.text), hit.text, hit.text, hit.expiresAt);
      const read = cache.startRead(key);
      const readAt = Date.now();
      let found: CachedSession | undefined;
      const reading =
        this.touchMargin > 0
          ? this.readWithExpiry(sid, key, (text, expiresAt) => {
              found = { text, expiresAt };
            })
          : this.send(key, ['GET', key]).then((reply) => {
              if (reply == null) return null;
              const text = replyText(reply);
              found = { text, expiresAt: undefined };
              return this.rememberLoaded(sid, this.decode(sid, text), text, text);
            });
      const settle = (): void => cache.finishRead(key, read, found, readAt);
      return reading.then(
        (session) => {
          settle();
          return session;
        },
        (err: unknown) => {
          settle();
          if (isWrongType(err)) return this.corruptData(sid, err);
          throw err;
        },
      );
    });
  }

  /**
   * With `touchMargin`: GET and PTTL in one round trip (sent together), so core knows when
   * Redis will expire the session and can skip a touch it already covers. The expiry counts
   * from before the request was sent, so it is never later than Redis's own. A write landing
   * between the two commands only makes PTTL describe a newer copy, which core then compares
   * against as it would against any stored expiry.
   */
  private readWithExpiry(
    sid: string,
    key: string,
    onText?: (text: string, expiresAt: number | undefined) => void,
  ): Promise<SessionData | null> {
    const sentAt = Date.now();
    return this.send(key, () =>
      Promise.all([this.adapter.send(key, ['GET', key]), this.adapter.send(key, ['PTTL', key])]),
    ).then(
      ([reply, pttl]) => {
        if (reply == null) return null;
        const text = replyText(reply);
        // undefined when the key went away since the GET: no skip then.
        const expiresAt = expiryFromPttl(pttl, sentAt);
        onText?.(text, expiresAt);
        return this.rememberLoaded(sid, this.decode(sid, text), text, text, expiresAt);
      },
      (err: unknown) => {
        if (isWrongType(err)) return this.corruptData(sid, err);
        throw err;
      },
    );
  }

  protected override writeSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    const key = this.key(sid);
    const text = this.encode(sid, session);
    const change = indexChange(link);
    if (change) return this.changing(key, this.writeIndexed(sid, key, text, ttl, change));
    // Millisecond precision (PX): a cookie expiring in 1.5 s lives 1.5 s, not 2.
    const command = ttl.kind === 'expire' ? ['SET', key, text, 'PX', String(ttl.ms)] : ['SET', key, text];
    if (this.cache) return this.changing(key, this.send(key, command)).then(ignoreReply);
    return this.send(key, command).then(ignoreReply);
  }

  /**
   * Writes only over the value that was loaded (its text is the version): the
   * compare-and-set script compares SHA1 digests on the server, in one round trip, so the
   * stored layout stays plain text, readable by connect-redis both ways. A missing key
   * (destroyed, expired) is `'gone'` and is never recreated.
   */
  protected override writeSessionIf(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    version: unknown,
    userLink?: UserLink,
  ): Promise<ConditionalWriteResult> {
    const link = indexChange(userLink);
    const key = this.key(sid);
    const text = this.encode(sid, session);
    const ttlArg = scriptTtl(ttl);
    const digest = sha1Hex(version as string);
    let written: Promise<unknown>;
    if (!link) {
      const send = this.sendTo(key);
      written = this.send(key, () => runScript(send, COMPARE_AND_SET, [key], [digest, text, ttlArg]));
    } else if (this.adapter.topology !== 'cluster') {
      const plan = this.indexPlan(ttl, link);
      written = this.send(key, () =>
        runScript(
          this.sendTo(key),
          COMPARE_AND_SET_INDEXED,
          [key, ...plan.keys],
          [digest, text, ttlArg, sid, plan.score, plan.now, plan.which],
        ),
      );
    } else {
      written = this.inClusterIndexes(sid, ttl, link, () =>
        this.send(key, () => runScript(this.sendTo(key), COMPARE_AND_SET, [key], [digest, text, ttlArg])),
      );
    }
    return this.changing(key, written).then((reply): ConditionalWriteResult => {
      switch (replyNumber(reply)) {
        case ScriptReply.Done:
          return { version: text, text };
        case ScriptReply.Changed:
          return 'changed';
        default:
          return 'gone';
      }
    });
  }

  protected override removeSession(sid: string): Promise<void> {
    const key = this.key(sid);
    if (this.cache) return this.changing(key, this.send(key, ['DEL', key])).then(ignoreReply);
    return this.send(key, ['DEL', key]).then(ignoreReply);
  }

  /**
   * One round trip for JSON sessions: a script replaces only the stored top-level
   * `cookie` and sets the new TTL, if the key still exists. With a custom serializer the
   * store cannot edit the text on the server, so it reads, re-encodes and writes back
   * with a compare-and-set script (two round trips, retried if the session changed).
   */
  protected override refreshSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    const key = this.key(sid);
    const ttlArg = scriptTtl(ttl);
    // The index entry's score follows the new expiry (only if the entry is there: 'x'), sent
    // alongside the touch so both travel in one round trip; its key lives as long as its last session.
    const indexed = link?.user === undefined ? undefined : this.reindex(sid, ttl, link.user);
    indexed?.catch(ignoreReply);
    const cookie = (session as { cookie?: unknown }).cookie;
    if (cookie === undefined || this.editsJsonInPlace) {
      // A plain chain, not an async function: express-session's touch is on every unmodified request.
      const args = [cookie === undefined ? '' : this.cookieJson(sid, cookie), ttlArg];
      const send = this.sendTo(key);
      const touched = this.changing(
        key,
        this.send(key, () => runScript(send, TOUCH_JSON, [key], args)),
      );
      return (indexed ? Promise.all([touched, indexed]) : touched).then(ignoreReply);
    }
    const rewritten = this.rewriteCookie(sid, key, cookie, ttlArg);
    return indexed ? Promise.all([rewritten, indexed]).then(ignoreReply) : rewritten;
  }

  /** touch with a custom serializer: read, re-encode with the new cookie, compare-and-set (retried). */
  private async rewriteCookie(sid: string, key: string, cookie: unknown, ttlArg: string): Promise<void> {
    this.cache?.invalidate(key);
    await rewriteStored({
      read: () => this.send(key, ['GET', key]),
      rewrite: async (text) => {
        const decoded = await this.decode(sid, text);
        return decoded ? this.encode(sid, { ...decoded, cookie } as SessionData) : undefined;
      },
      compareAndSet: (sha, next) =>
        this.send(key, () => runScript(this.sendTo(key), COMPARE_AND_SET, [key], [sha, next, ttlArg])),
    });
    this.cache?.invalidate(key);
  }

  /** A user's index: ZRANGE of all its members, dead ones included (core checks each). */
  protected override async userSessionIds(user: string): Promise<string[]> {
    const key = this.userKey(user);
    const reply = await this.send(key, ['ZRANGE', key, '0', '-1']);
    if (!Array.isArray(reply)) throw new TypeError(`unexpected ZRANGE reply: ${String(reply)}`);
    return reply.map(replyText);
  }

  protected override async unindexSessions(user: string, sids: readonly string[]): Promise<void> {
    const key = this.userKey(user);
    for (let start = 0; start < sids.length; start += MAX_KEYS_PER_COMMAND) {
      await this.send(key, ['ZREM', key, ...sids.slice(start, start + MAX_KEYS_PER_COMMAND)]);
    }
  }

  protected override scanIds(): AsyncIterable<string[]> {
    return this.scanPrefix(false);
  }

  /** The ids under this prefix; user index keys (see {@link USER_INDEX_MARK}) only with `withIndexes`. */
  private async *scanPrefix(withIndexes: boolean): AsyncIterable<string[]> {
    const fullPrefix = this.adapter.clientPrefix + this.prefix;
    const masters = await this.send('', () => this.adapter.masters());
    const bounded = <T>(send: () => Promise<T>): Promise<T> => this.connection.run(send);
    for await (const keys of scanKeys(masters, `${escapeGlob(fullPrefix)}*`, this.scanCount, bounded)) {
      // MATCH is exact with the escaped prefix; the check only guards against surprises.
      const ids = keys
        .filter((key) => key.startsWith(fullPrefix))
        .map((key) => key.slice(fullPrefix.length))
        .filter((id) => withIndexes || !id.startsWith(USER_INDEX_MARK));
      if (ids.length > 0) yield ids;
    }
  }

  /** MGET per batch; in a cluster, one MGET per hash slot so no command crosses slots. */
  protected override async readSessions(sids: readonly string[]): Promise<Array<SessionData | null>> {
    const keys = sids.map((sid) => this.key(sid));
    const texts: unknown[] = new Array(keys.length).fill(null);
    await Promise.all(
      this.batches(keys).map(async ({ keys: batch, positions }) => {
        const reply = await this.send(batch[0] as string, ['MGET', ...batch]);
        if (!Array.isArray(reply)) throw new TypeError(`unexpected MGET reply: ${String(reply)}`);
        positions.forEach((position, index) => {
          texts[position] = reply[index];
        });
      }),
    );
    // Synchronous decoding (JSON) needs no promise per session; an async parse gets them.
    const sessions = texts.map((text, index) =>
      text == null ? null : this.decode(sids[index] as string, replyText(text)),
    );
    return sessions.some((session) => session instanceof Promise)
      ? Promise.all(sessions)
      : (sessions as Array<SessionData | null>);
  }

  /** DEL per batch; in a cluster, one DEL per hash slot. */
  protected override async removeSessions(sids: readonly string[]): Promise<void> {
    const keys = sids.map((sid) => this.key(sid));
    for (const key of keys) this.cache?.invalidate(key);
    await Promise.all(
      this.batches(keys).map(({ keys: batch }) => this.send(batch[0] as string, ['DEL', ...batch])),
    );
  }

  /** `all()` reads as many sessions per MGET as one command may carry. */
  protected override get readBatchSize(): number {
    return MAX_KEYS_PER_COMMAND;
  }

  /**
   * On one server (or a sentinel's master) each SCAN page is deleted by a script on the
   * server itself: no key travels to the app and back. A cluster forbids scripts that
   * touch keys of several slots, so there SCAN and DEL overlap instead: each page's DEL
   * is sent without waiting for it before the next SCAN (SCAN still returns every key
   * that stays; deleted ones are simply gone), and all of them are awaited at the end.
   */
  protected override async clearSessions(): Promise<void> {
    this.cache?.invalidateAll();
    if (this.adapter.topology !== 'cluster') {
      const fullPrefix = this.adapter.clientPrefix + this.prefix;
      const args = [`${escapeGlob(fullPrefix)}*`, String(this.scanCount), fullPrefix];
      const masters = await this.send('', () => this.adapter.masters());
      for (const send of masters) {
        let cursor = '0';
        do {
          const reply = await this.connection.run(() => runScript(send, CLEAR_PAGE, [], [cursor, ...args]));
          cursor = replyText(reply);
        } while (cursor !== '0');
      }
      return;
    }
    const deletes: Array<Promise<void>> = [];
    try {
      for await (const batch of this.scanPrefix(true)) {
        const pending = this.removeSessions(batch);
        // Marked handled at once; the error is reported by the Promise.all below.
        pending.catch(ignoreReply);
        deletes.push(pending);
      }
    } finally {
      await Promise.allSettled(deletes);
    }
    await Promise.all(deletes);
  }

  protected override async closeBackend(): Promise<void> {
    await this.invalidations?.close();
    await this.connection.close();
  }

  protected override classifyError(err: unknown): SessionStoreError {
    return classifyRedisError(err, 'RedisStore');
  }

  // ---- internals ---------------------------------------------------------------

  private userKey(user: string): string {
    return userIndexKey(this.prefix, user);
  }

  private indexPlan(ttl: WriteTtl, link: UserLink): UserIndexPlan {
    return userIndexPlan(this.prefix, ttl, link);
  }

  /**
   * A plain write with its index entries: one script on one server. On a cluster the index
   * lives in another hash slot, so see {@link inClusterIndexes}.
   */
  private async writeIndexed(sid: string, key: string, text: string, ttl: WriteTtl, link: UserLink) {
    const ttlArg = scriptTtl(ttl);
    const write = (): Promise<unknown> =>
      this.send(key, ttlArg === '' ? ['SET', key, text] : ['SET', key, text, 'PX', ttlArg]);
    if (this.adapter.topology === 'cluster') {
      await this.inClusterIndexes(sid, ttl, link, write);
      return;
    }
    const plan = this.indexPlan(ttl, link);
    await this.send(key, () =>
      runScript(
        this.sendTo(key),
        SET_INDEXED,
        [key, ...plan.keys],
        [text, ttlArg, sid, plan.score, plan.now, plan.which],
      ),
    );
  }

  /**
   * A write on a cluster, where no script may touch the session and its user's index (other
   * hash slots): the entry is added first, so a session is never written without one (an
   * entry without its session is harmless: core checks each listed session), and the former
   * user's entry is removed once the write is done (if that fails, core drops it when it
   * next reads that index, as the session is no longer theirs).
   */
  private async inClusterIndexes(
    sid: string,
    ttl: WriteTtl,
    link: UserLink,
    write: () => Promise<unknown>,
  ): Promise<unknown> {
    if (link.user !== undefined) await this.reindex(sid, ttl, link.user, 'u');
    const reply = await write();
    const written = replyText(reply) === 'OK' || replyNumber(reply) === ScriptReply.Done;
    if (link.formerUser !== undefined && written) {
      await this.unindexSessions(link.formerUser, [sid]);
    }
    return reply;
  }

  /** Files (`u`) or refreshes (`ux`: only if present) one id in a user's index, alone. */
  private reindex(sid: string, ttl: WriteTtl, user: string, which = 'ux'): Promise<unknown> {
    const key = this.userKey(user);
    return this.send(key, () =>
      runScript(this.sendTo(key), INDEX_ONLY, [key], [sid, indexScore(ttl), String(Date.now()), which]),
    );
  }

  /**
   * A write of `key`; with the client cache on, the key is forgotten before it is sent and
   * again once Redis answered, so no read of this process returns what was there before a
   * write it saw acknowledged (a read in flight meanwhile is not cached either).
   */
  private changing<T>(key: string, write: Promise<T>): Promise<T> {
    const cache = this.cache;
    if (cache === undefined) return write;
    cache.invalidate(key);
    return write.then(
      (reply) => {
        cache.invalidate(key);
        return reply;
      },
      (err: unknown) => {
        cache.invalidate(key);
        throw err;
      },
    );
  }

  /** Raw send of whole commands, routed by `key`; used inside a gated round trip. */
  private sendTo(key: string): (args: string[]) => Promise<unknown> {
    return (args) => this.adapter.send(key, args);
  }

  /** One bounded round trip: a command for `key`, or a function making the calls. */
  private send<T = unknown>(key: string, command: string[] | (() => Promise<T>)): Promise<T> {
    return this.connection.run(
      typeof command === 'function' ? command : () => this.adapter.send(key, command) as Promise<T>,
    );
  }

  /**
   * Splits keys into groups one command may carry: by hash slot on a cluster (the slot
   * of the key as the server sees it, client prefix included), by size elsewhere.
   */
  private batches(keys: readonly string[]): Array<{ keys: string[]; positions: number[] }> {
    if (this.adapter.topology === 'cluster') {
      const clientPrefix = this.adapter.clientPrefix;
      const groups = groupBySlot(keys.map((key) => clientPrefix + key));
      return groups.map((group) => ({
        keys: group.positions.map((p) => keys[p] as string),
        positions: group.positions,
      }));
    }
    const result: Array<{ keys: string[]; positions: number[] }> = [];
    for (let start = 0; start < keys.length; start += MAX_KEYS_PER_COMMAND) {
      const batch = keys.slice(start, start + MAX_KEYS_PER_COMMAND);
      result.push({ keys: batch, positions: batch.map((_, index) => start + index) });
    }
    return result;
  }

  private cookieJson(sid: string, cookie: unknown): string {
    let json: string | undefined;
    try {
      json = JSON.stringify(cookie);
    } catch (cause) {
      throw new SerializeError(sid, cause);
    }
    return json ?? 'null';
  }
}
