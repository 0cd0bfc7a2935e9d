import {
  BATCH_SIZE,
  BackendUnavailableError,
  type ConditionalWriteResult,
  SerializeError,
  type SessionData,
  SessionStore,
  type SessionStoreError,
  type StoreCapabilities,
  type UserLink,
  type WriteTtl,
} from '@session-stores/core';
import type { AerospikeRecord, BatchResult, Client, Key, ReadPolicy } from 'aerospike';
import * as Aerospike from 'aerospike';
import { resultCode, statusError, toStoreError } from './aerospike-errors';
import { limiterFor } from './command-limiter';
import { type Issue, sendCommand } from './command-sender';
import { AerospikeConnection } from './connection';
import { type AerospikeStoreOptions, resolveOptions } from './options';
import {
  COOKIE_BIN,
  checkMappedBins,
  type RecordMapper,
  SESSION_BIN,
  type SessionBins,
  USER_BIN,
  userIndexName,
} from './record-mapper';
import { drain, streamBatches } from './scan';

const { status } = Aerospike;

/** Aerospike's largest TTL (10 years, in seconds); a longer one is rejected by the server. */
export const MAX_TTL_SECONDS = 315_360_000;
/** How long `clear()` waits for a truncated set to read as empty, in ms. */
export const TRUNCATE_WAIT_MS = 10_000;
/** How often a touch with a custom mapper re-reads a session another request changed meanwhile. */
const TOUCH_ATTEMPTS = 5;
/** The user key of the reachability probe; it is only ever checked for existence, never written. */
const PROBE_KEY = '\u0000session-stores:probe';

/**
 * An express-session store on Aerospike, with the official `aerospike` client (6.x).
 *
 * Each session is one record `(namespace, set, prefix + sid)` whose TTL is the
 * session's, so the server expires it. By default the record has two string bins:
 * `session` (the serialized session without its cookie) and `cookie` (the serialized
 * cookie), so `touch()` can refresh the TTL and rewrite the cookie in one `operate`
 * call without reading or rewriting the session data. The key is stored with the
 * record (key policy SEND), so scans can list session ids.
 *
 * @example
 * const store = new AerospikeStore({ hosts: '127.0.0.1:3000', namespace: 'sessions' });
 * app.use(session({ store, secret: 'change me', resave: false, saveUninitialized: false }));
 */
export class AerospikeStore extends SessionStore {
  static override readonly backend = 'aerospike';
  static override readonly capabilities: StoreCapabilities = {
    methods: { touch: true, all: true, length: true, clear: true, ids: true },
    ttlGranularityMs: 1000,
    expiresOnServer: true,
    prefixIsolation: true,
    events: { connect: true, disconnect: true },
    replicationLagMs: 0,
    conditionalWrites: true,
    userSessions: true,
  };

  /** The Aerospike namespace holding the sessions. */
  readonly namespace: string;
  /** The Aerospike set holding the sessions (the `set` option; `set` itself is the Store method). */
  readonly setName: string;
  private readonly mapper: RecordMapper | undefined;
  private readonly connection: AerospikeConnection;
  /** The user bin's secondary index, once created (see {@link userSessionIds}). */
  private userIndex_: Promise<void> | undefined;

  /**
   * @param options see {@link AerospikeStoreOptions}. Without `client`, the store creates
   * a client from the client options and connects it at once (`connect` is emitted when
   * it is connected).
   * @throws InvalidOptionError naming the first invalid option.
   */
  constructor(options: AerospikeStoreOptions = {}) {
    super(options, { prefix: '' });
    const resolved = resolveOptions(options);
    this.namespace = resolved.namespace;
    this.setName = resolved.set;
    this.mapper = resolved.mapper;
    this.connection = new AerospikeConnection(
      resolved.client
        ? { kind: 'borrowed', client: resolved.client }
        : { kind: 'owned', config: resolved.clientConfig },
      new Aerospike.Key(this.namespace, this.setName, PROBE_KEY),
      {
        reachable: (reachable) => this.setConnected(reachable),
        error: (err) => this.reportError(this.classifyError(err)),
      },
    );
  }

  /** The aerospike client in use; `undefined` while a store-owned client has not connected yet. */
  get client(): Client | undefined {
    return this.connection.client;
  }

  // ---- primitives -----------------------------------------------------------------

  /**
   * With `touchMargin`, the record's TTL (which the reply carries anyway) also tells core
   * when the server will expire the record (see {@link expiryOf}), so a touch it already
   * covers is skipped. Without the option no clock is read.
   */
  protected override readSession(sid: string): Promise<SessionData | null> {
    const key = this.recordKey(sid);
    const sentAt = this.touchMargin > 0 ? Date.now() : 0;
    return this.command<AerospikeRecord, SessionData | null>(
      ({ client, policies }, done) => client.get(key, policies.perCommand.read as ReadPolicy, done),
      (err, record) => {
        if (err) return missingAsNull(err);
        const { bins, gen, ttl } = record as AerospikeRecord;
        // The session bin's text (without the cookie, which a merge never compares) saves a
        // JSON snapshot of every session read; a mapper's bins have no such text.
        const text = this.mapper ? undefined : bins[SESSION_BIN];
        const decoded = this.fromBins(sid, bins);
        return this.rememberLoaded(
          sid,
          decoded,
          gen,
          typeof text === 'string' ? text : undefined,
          this.touchMargin > 0 ? expiryOf(ttl, sentAt) : undefined,
        );
      },
    );
  }

  /**
   * Writes only over the generation that was loaded: Aerospike's own compare-and-set
   * (`gen: EQ`, `exists: REPLACE`), one round trip. A missing record (destroyed, expired)
   * is `'gone'`; another generation is `'changed'`. The new generation is the loaded one
   * plus one: if another write came between, the next save sees `'changed'` and merges.
   */
  protected override writeSessionIf(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    version: unknown,
    link?: UserLink,
  ): Promise<ConditionalWriteResult> {
    const bins = this.withUser(this.toBins(sid, session), link);
    const key = this.recordKey(sid);
    const meta = { ttl: recordTtl(ttl), gen: version as number };
    // The session bin's text is the next merge base: core then takes no JSON snapshot of the save.
    const text = this.mapper ? undefined : (bins[SESSION_BIN] as string);
    return this.command<Key, ConditionalWriteResult>(
      ({ client, policies }, done) => client.put(key, bins, meta, policies.writeIfGeneration, done),
      (err) => {
        if (!err) return { version: meta.gen + 1, text };
        const code = resultCode(err);
        if (code === status.ERR_RECORD_NOT_FOUND) return 'gone';
        if (code === status.ERR_RECORD_GENERATION) return 'changed';
        throw err;
      },
    );
  }

  /**
   * With `userOf`, the record also holds the user in the {@link USER_BIN} bin, in the same
   * put; a secondary index on it finds a user's sessions (see {@link userSessionIds}).
   */
  protected override writeSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    const bins = this.withUser(this.toBins(sid, session), link);
    const key = this.recordKey(sid);
    const meta = { ttl: recordTtl(ttl) };
    return this.command<Key, void>(
      ({ client, policies }, done) => client.put(key, bins, meta, policies.perCommand.write ?? null, done),
      throwIfFailed,
    );
  }

  protected override removeSession(sid: string): Promise<void> {
    const key = this.recordKey(sid);
    return this.command<Key, void>(
      ({ client, policies }, done) => client.remove(key, policies.perCommand.remove ?? null, done),
      (err) => void (err && missingAsNull(err)),
    );
  }

  /**
   * Default layout: one `operate` that only updates an existing record, so a destroyed
   * session stays destroyed, and leaves the session bin (data another request may have
   * just saved) alone: [write(cookie bin)], whose command TTL is the new one, or [touch]
   * when the session has no cookie object to store. (A touch beside the write would set
   * the same TTL twice, and each operation costs the client a conversion.) With a custom
   * mapper the cookie's place in the bins is unknown: read, replace the cookie, write back
   * only if the record's generation is unchanged (else retry).
   */
  protected override refreshSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    if (this.mapper) return this.refreshMapped(sid, session, ttl, link);
    const key = this.recordKey(sid);
    const seconds = recordTtl(ttl);
    const { cookie } = session as { cookie?: unknown };
    const operation = isCookieObject(cookie)
      ? Aerospike.operations.write(COOKIE_BIN, this.encode(sid, cookie as SessionData))
      : Aerospike.operations.touch(seconds);
    const operations = [operation];
    const meta = { ttl: seconds };
    return this.command<AerospikeRecord, void>(
      ({ client, policies }, done) =>
        client.operate(key, operations, meta, policies.perCommand.touch ?? null, done),
      (err) => void (err && missingAsNull(err)),
    );
  }

  /** touch() with a custom mapper: read, replace the cookie, write back over the same generation. */
  private async refreshMapped(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link: UserLink | undefined,
  ): Promise<void> {
    const key = this.recordKey(sid);
    const seconds = recordTtl(ttl);
    for (let attempt = 1; ; attempt += 1) {
      const record = await this.sendOrMissing<AerospikeRecord>(({ client, policies }, done) =>
        client.get(key, policies.read, done),
      );
      if (!record) return;
      const stored = await this.fromBins(sid, record.bins);
      if (!stored) return;
      const bins = this.withUser(this.toBins(sid, { ...stored, cookie: session.cookie }), link);
      try {
        await this.send<Key>(({ client, policies }, done) =>
          client.put(key, bins, { ttl: seconds, gen: record.gen }, policies.writeIfGeneration, done),
        );
        return;
      } catch (err) {
        const code = resultCode(err);
        if (code === status.ERR_RECORD_NOT_FOUND) return;
        if (code !== status.ERR_RECORD_GENERATION || attempt >= TOUCH_ATTEMPTS) throw err;
      }
    }
  }

  /** Ids come from a scan of the set without bins; the keys are there because they were written with SEND. */
  protected override async *scanIds(): AsyncIterable<string[]> {
    const { client, policies } = await this.connection.acquire();
    // A scan slot: a clear() or all() holds its scan open while it sends batches, which
    // need slots of their own; the limiter never lets scans take the last one.
    const release = this.connection.hold();
    const releaseSlot = await limiterFor(client).acquire('scan');
    try {
      const stream = client.scan(this.namespace, this.setName, { nobins: true }).foreach(policies.scan);
      yield* streamBatches(stream, (record) => this.idOf(record), BATCH_SIZE);
    } catch (err) {
      this.connection.noteFailure(err);
      throw err;
    } finally {
      releaseSlot();
      release();
    }
  }

  protected override async readSessions(sids: readonly string[]): Promise<Array<SessionData | null>> {
    const requests = sids.map((sid) => ({ key: this.recordKey(sid), readAllBins: true }));
    const results = await this.send<BatchResult[]>(({ client, policies }, done) =>
      client.batchRead(requests, policies.batch, done),
    );
    return Promise.all(
      results.map((result, index) => {
        const code = result.status as number;
        if (code === status.ERR_RECORD_NOT_FOUND) return null;
        if (code !== status.OK) throw statusError(code, 'batch read');
        return this.fromBins(sids[index] as string, result.record.bins);
      }),
    );
  }

  protected override async removeSessions(sids: readonly string[]): Promise<void> {
    const keys = sids.map((sid) => this.recordKey(sid));
    const results = await this.send<BatchResult[]>(({ client, policies }, done) =>
      client.batchRemove(keys, policies.batch, done),
    );
    for (const result of results) {
      const code = result.status as number;
      if (code !== status.OK && code !== status.ERR_RECORD_NOT_FOUND) throw statusError(code, 'batch remove');
    }
  }

  protected override async countSessions(): Promise<number> {
    let count = 0;
    for await (const ids of this.scanIds()) count += ids.length;
    return count;
  }

  protected override async closeBackend(): Promise<void> {
    await this.connection.close();
  }

  protected override classifyError(err: unknown): SessionStoreError {
    return toStoreError(err, this.namespace, this.constructor.name);
  }

  // ---- clear --------------------------------------------------------------------------

  /**
   * Deletes this store's sessions. With the default empty prefix the set belongs to
   * this store alone, so it is truncated, and `clear()` resolves once a scan of the set
   * finds nothing. With a prefix, other prefixes may share the set: only this prefix's
   * keys are scanned and removed.
   */
  protected override async clearSessions(): Promise<void> {
    if (this.prefix !== '') return super.clearSessions();
    await this.truncateSet(Date.now());
  }

  /**
   * Truncates the set and waits until a scan finds it empty.
   *
   * The server's truncate removes the records last updated strictly before a cutoff,
   * its own clock in milliseconds when the command arrives, and ignores a truncate
   * whose cutoff is not later than the set's previous one (`as/src/base/truncate.c`).
   * So a record written in the cutoff's millisecond stays, and so do writes that follow
   * a previous truncate within the same millisecond. Two measures:
   * - the truncate is sent only once our clock has moved 2 ms past `startedAt`, so more
   *   than 1 ms has passed since every write acknowledged before clear() began, and the
   *   cutoff is later than each of them;
   * - a scan that still finds records after a truncate answered means they outlived it
   *   (written meanwhile, or a node's clock behind): truncate again before the next scan.
   */
  private async truncateSet(startedAt: number): Promise<void> {
    while (Date.now() < startedAt + 2) await sleep(1);
    const truncate = () =>
      this.send<void>(({ client, policies }, done) =>
        client.truncate(this.namespace, this.setName, 0, policies.info, done),
      );
    await truncate();
    const deadline = Date.now() + TRUNCATE_WAIT_MS;
    for (let pause = 5; !(await this.setIsEmpty()); pause = Math.min(pause * 2, 200)) {
      if (Date.now() + pause > deadline) {
        throw new BackendUnavailableError(
          `${this.constructor.name}: set "${this.namespace}/${this.setName}" still holds records ` +
            `after ${TRUNCATE_WAIT_MS} ms of truncating it (sessions are still being written to it)`,
        );
      }
      await sleep(pause);
      await truncate();
    }
  }

  /**
   * Whether a scan of the set finds no record. The scan runs to its end rather than
   * being aborted at the first record: an aborted scan's last command may still be under
   * way with no way to wait for it, and closing the client under it is unsafe.
   */
  private async setIsEmpty(): Promise<boolean> {
    const { client, policies } = await this.connection.acquire();
    let found = 0;
    try {
      await this.connection.track(() =>
        limiterFor(client).run(() =>
          drain(client.scan(this.namespace, this.setName, { nobins: true }).foreach(policies.scan), () => {
            found += 1;
          }),
        ),
      );
    } catch (err) {
      this.connection.noteFailure(err);
      throw err;
    }
    return found === 0;
  }

  // ---- records --------------------------------------------------------------------------

  private recordKey(sid: string): Key {
    return new Aerospike.Key(this.namespace, this.setName, this.key(sid));
  }

  /** The session id of a scanned record, or undefined for records of other prefixes or without a stored key. */
  /**
   * A query of the set on the user bin's secondary index (created once by this store):
   * Aerospike keeps the index with the records, so a destroyed, re-assigned or expired
   * session leaves it with its record and there is nothing to unindex.
   */
  protected override async userSessionIds(user: string): Promise<string[]> {
    await this.userIndexReady();
    const { client, policies } = await this.connection.acquire();
    const releaseSlot = await limiterFor(client).acquire('scan');
    try {
      const query = client.query(this.namespace, this.setName);
      query.where(Aerospike.filter.equal(USER_BIN, user));
      query.select(USER_BIN);
      const ids: string[] = [];
      const stream = query.foreach(policies.query);
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (record: AerospikeRecord) => {
          const id = this.idOf(record);
          if (id !== undefined) ids.push(id);
        });
        stream.on('error', reject);
        stream.on('end', () => resolve());
      });
      return ids;
    } catch (err) {
      this.connection.noteFailure(err);
      throw err;
    } finally {
      releaseSlot();
    }
  }

  /** Nothing to do: the secondary index follows the records (see {@link userSessionIds}). */
  protected override async unindexSessions(): Promise<void> {}

  /** The bins with the user bin added (with `userOf`): absent for a session of nobody, which REPLACE then drops. */
  private withUser(bins: SessionBins, link: UserLink | undefined): SessionBins {
    return link?.user === undefined ? bins : { ...bins, [USER_BIN]: link.user };
  }

  /** Creates the user bin's string index on the set once; a failure is retried by the next call. */
  private userIndexReady(): Promise<void> {
    this.userIndex_ ??= this.send<void>(({ client }, done) => {
      this.createUserIndex(client).then(() => done(null), done);
    }).catch((err: unknown) => {
      this.userIndex_ = undefined;
      throw err;
    });
    return this.userIndex_;
  }

  /** Creates the user bin's string index and waits for it to be built. */
  private async createUserIndex(client: Client): Promise<void> {
    try {
      const job = await client.createIndex({
        ns: this.namespace,
        set: this.setName,
        bin: USER_BIN,
        index: userIndexName(this.setName),
        datatype: Aerospike.indexDataType.STRING,
      });
      await job.wait(10);
    } catch (err) {
      // Created already (by this or another process): that is the goal.
      if (resultCode(err) !== status.ERR_INDEX_FOUND) throw err;
    }
  }

  private idOf(record: AerospikeRecord): string | undefined {
    const userKey = record.key?.key;
    if (typeof userKey !== 'string' || !userKey.startsWith(this.prefix)) return undefined;
    return userKey.slice(this.prefix.length);
  }

  /**
   * Sends one command and settles with what `answer` makes of the client's reply (a
   * throw rejects). One promise per command, made here: this is the path of every get,
   * set and touch.
   */
  private command<T, R>(
    issue: Issue<T>,
    answer: (err: unknown, value: T | undefined) => R | Promise<R>,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      sendCommand(this.connection, issue, (err, value) => {
        try {
          resolve(answer(err, value));
        } catch (thrown) {
          reject(thrown);
        }
      });
    });
  }

  /** As {@link command} for the commands of all(), clear() and a mapper's touch: the reply itself, a failure rejects. */
  private send<T>(issue: Issue<T>): Promise<T> {
    return this.command(issue, (err, value) => {
      throwIfFailed(err);
      return value as T;
    });
  }

  /** As {@link send}, with "record not found" as `null`. */
  private sendOrMissing<T>(issue: Issue<T>): Promise<T | null> {
    return this.command(issue, (err, value) => (err ? missingAsNull(err) : (value as T)));
  }

  private toBins(sid: string, session: SessionData): SessionBins {
    if (this.mapper) {
      let bins: unknown;
      try {
        bins = this.mapper.toRecord(session);
      } catch (cause) {
        throw new SerializeError(sid, cause);
      }
      return checkMappedBins(bins);
    }
    const { cookie, ...rest } = session as unknown as Record<string, unknown>;
    // A cookie that is not an object (absent, null) stays inside the session bin as it is.
    if (!isCookieObject(cookie)) return { [SESSION_BIN]: this.encode(sid, session) };
    return {
      [SESSION_BIN]: this.encode(sid, rest as unknown as SessionData),
      [COOKIE_BIN]: this.encode(sid, cookie as SessionData),
    };
  }

  /**
   * The session in a record's bins. Without promises when the serializer is synchronous
   * (the default JSON), as this runs for every get; call it where a synchronous throw
   * becomes a rejection.
   */
  private fromBins(sid: string, bins: SessionBins): SessionData | null | Promise<SessionData | null> {
    if (this.mapper) return this.fromMappedBins(sid, bins);
    const text = bins[SESSION_BIN];
    if (typeof text !== 'string') return this.corrupt(sid, `bin "${SESSION_BIN}" holds ${describe(text)}`);
    const cookieText = bins[COOKIE_BIN];
    // No cookie bin: a session saved without a cookie, or by aerospike-session-store (cookie inline).
    if (cookieText === undefined || cookieText === null) return this.decode(sid, text);
    if (typeof cookieText !== 'string')
      return this.corrupt(sid, `bin "${COOKIE_BIN}" holds ${describe(cookieText)}`);
    const data = this.decode(sid, text);
    const cookie = this.decode(sid, cookieText);
    if (data instanceof Promise || cookie instanceof Promise) {
      return Promise.all([data, cookie]).then(([d, c]) => withCookie(d, c));
    }
    return withCookie(data, cookie);
  }

  private async fromMappedBins(sid: string, bins: SessionBins): Promise<SessionData | null> {
    let session: unknown;
    try {
      session = await (this.mapper as RecordMapper).fromRecord(bins);
    } catch (cause) {
      return this.corrupt(sid, cause);
    }
    if (session === null || session === undefined) return null;
    if (typeof session !== 'object' || Array.isArray(session)) {
      return this.corrupt(sid, `mapper.fromRecord returned ${describe(session)}`);
    }
    return session as SessionData;
  }

  /** Undecodable stored data: an `ERR_SESSION_CORRUPT` error, or no session with `onCorrupt: 'miss'`. */
  private corrupt(sid: string, cause: unknown): null {
    return this.corruptData(sid, typeof cause === 'string' ? new TypeError(cause) : cause);
  }
}

/**
 * A session with its cookie put back; `null` if either part decoded to nothing. The cookie
 * bin's copy replaces one inside the session bin (aerospike-session-store kept it there).
 * Set on the decoded object, not spread into a new one: this runs for every get.
 */
function withCookie(data: SessionData | null, cookie: SessionData | null): SessionData | null {
  if (!data || !cookie) return null;
  (data as unknown as Record<string, unknown>).cookie = cookie;
  return data;
}

/** Nothing for a success; a failure throws. */
function throwIfFailed(err: unknown): void {
  if (err) throw err;
}

/** `null` for "record not found"; any other failure throws. */
function missingAsNull(err: unknown): null {
  if (resultCode(err) === status.ERR_RECORD_NOT_FOUND) return null;
  throw err;
}

/**
 * When the server expires a record read with TTL `ttl` (as the client reports it), in epoch ms,
 * counted from `sentAt` (before the read was sent): never later than the real expiry. The
 * server sends the record's expiry as a whole second of its clock, expired once its clock is
 * past that second; the client turns it into whole seconds remaining by its own clock, floored
 * at 1 (a record about to expire). One second is taken off for the truncations, so the bound
 * holds as long as the app's clock is not behind the server's. `-1` (`0xFFFFFFFF` from the C
 * client, which the node client turns into -1) is a record that never expires; anything else
 * (0 or a non-number, which a read never gives) tells nothing.
 */
export function expiryOf(ttl: unknown, sentAt: number): number | undefined {
  if (ttl === Aerospike.ttl.NEVER_EXPIRE || ttl === NO_EXPIRE_TTL) return Number.POSITIVE_INFINITY;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) return undefined;
  return sentAt + (ttl - 1) * 1000;
}

/** The C client's "never expires" TTL, in case a client version passes it through unconverted. */
const NO_EXPIRE_TTL = 0xffff_ffff;

/** The record TTL for a write: whole seconds (Aerospike's granularity), or -1 for never (0 would mean the namespace default). */
function recordTtl(ttl: WriteTtl): number {
  return ttl.kind === 'never' ? Aerospike.ttl.NEVER_EXPIRE : Math.min(ttl.seconds, MAX_TTL_SECONDS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isCookieObject(cookie: unknown): boolean {
  return cookie !== null && typeof cookie === 'object' && !Array.isArray(cookie);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
