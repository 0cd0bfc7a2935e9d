import {
  type ConditionalWriteResult,
  CorruptSessionError,
  escapeGlob,
  InvalidOptionError,
  type SessionData,
  SessionStore,
  type SessionStoreError,
  type StoreCapabilities,
  type UserLink,
  type WriteTtl,
} from '@session-stores/core';
import type { RedisClientLike } from '@session-stores/redis-store';
import {
  classifyRedisError,
  INDEX_ONLY,
  indexChange,
  indexScore,
  isWrongType,
  MAX_KEYS_PER_COMMAND,
  replyNumber,
  replyText,
  SET_INDEXED,
  scriptTtl,
  userIndexKey,
  userIndexPlan,
} from '@session-stores/redis-store/connection';
import { Activity } from './activity';
import { HedgeTimer } from './hedge-timer';
import {
  DEFAULT_PREFIX,
  type ReadPolicy,
  type ReplicatedStoreOptions,
  resolveReplicationSettings,
  toCoreOptions,
} from './options';
import { notEnoughServers, type ReplicaFailure, writeIfToQuorum, writeToQuorum } from './quorum';
import { ReadRepair } from './read-repair';
import { answerVersion, ReadRound, type RoundSettings } from './read-round';
import { Replica, ReplicaDownError, type ReplicaListener } from './replica';
import { ReplicaChoice } from './replica-choice';
import { openReplicaClients, planReplicaClients } from './replica-clients';
import { Resync } from './resync';
import { RETRACT_VERSION, SET_IF_VERSION, WRITE_TOMBSTONES } from './scripts';
import { FOREIGN_VALUE, SessionCodec, type StoredAnswer } from './session-codec';
import { touchReplica } from './touch';
import { scanDivergent, scanUnion } from './union-scan';
import { processClock } from './version-clock';

/**
 * Shortest life of a tombstone, in ms: far longer than any repair can be under way (a
 * repair is one round trip, bounded by commandTimeout), so a late repair always meets it.
 */
const MIN_TOMBSTONE_MS = 60_000;
/** Life of the tombstone of a session that never expired (disableTTL / ttl: false): one day. */
const NO_EXPIRY_TOMBSTONE_MS = 86_400_000;
/** With readPolicy 'first' and readRepair, one read in this many asks every server (see readSession). */
export const FULL_READ_EVERY = 32;

/** What an `error` event carries besides the error itself: which server failed. */
export interface ReplicaErrorDetails {
  /** The failing server's client (the app's, or the one the store created). */
  readonly client: RedisClientLike;
  /** Its index in `clients`. */
  readonly replica: number;
}

/**
 * A session store for express-session that keeps every session on several independent
 * Redis servers, replacing expredis. Writes go to every server and succeed once
 * `writeQuorum` of them acknowledged; reads ask the fastest server and, when it is slow
 * or has no session, the others (hedged reads), and take the first copy (or ask every
 * server and take the newest, with `readPolicy: 'newest'`); every copy carries a version,
 * so replicas that diverged converge through read repair, and a server that was away is
 * resynced in the background. Losing servers never fails a read while one answers, nor a
 * write while a quorum does.
 *
 * @example
 * app.use(session({
 *   store: new ReplicatedStore({ clients: [{ url: 'redis://10.0.0.1' }, { url: 'redis://10.0.0.2' }, { url: 'redis://10.0.0.3' }] }),
 *   secret, resave: false, saveUninitialized: false,
 * }));
 */
export class ReplicatedStore extends SessionStore {
  static override readonly backend = 'redis';
  static override readonly capabilities: StoreCapabilities = {
    methods: { touch: true, all: true, length: true, clear: true, ids: true },
    ttlGranularityMs: 1,
    expiresOnServer: true,
    prefixIsolation: true,
    events: { connect: true, disconnect: true },
    conditionalWrites: true,
    // With readPolicy 'first', a read may see the previous version while a write is still
    // reaching the slowest server: at most one commandTimeout (2 s by default).
    replicationLagMs: 2000,
    userSessions: true,
  };

  /** The servers' clients, in the order of the `clients` option. */
  readonly clients: readonly RedisClientLike[];
  /** Acknowledgements a write needs. */
  readonly writeQuorum: number;
  /** Answers a `'newest'` read and an enumeration need: N − writeQuorum + 1. */
  readonly readQuorum: number;
  /** How reads pick their answer. */
  readonly readPolicy: ReadPolicy;
  /** Whether reads repair stale servers, and servers known to be behind are resynced. */
  readonly readRepair: boolean;
  /** How long a `'first'` read waits for the server it asked before asking the others, in ms (at least). */
  readonly hedgeDelay: number;
  /** The budget of one round trip to one server, in ms. */
  readonly commandTimeout: number;
  /** The `SCAN ... COUNT` hint in use. */
  readonly scanCount: number;

  private readonly replicas: readonly Replica[];
  private readonly codec: SessionCodec;
  private readonly repairs: ReadRepair;
  private readonly resync: Resync;
  private readonly rounds: RoundSettings;
  private readonly choice: ReplicaChoice;
  /** 'first' reads counted for FULL_READ_EVERY. */
  private hedgedReads = 0;
  private readonly tombstoneTtlMs: number;
  /** Writes on each server, counted from start to finish (a touch may be several round trips). */
  private readonly writes = new Activity();

  /** @param options see {@link ReplicatedStoreOptions}; `clients` is required. */
  constructor(options: ReplicatedStoreOptions) {
    super(toCoreOptions(options), { prefix: DEFAULT_PREFIX });
    const settings = resolveReplicationSettings(options);
    const plans = planReplicaClients(settings.clients);
    this.writeQuorum = settings.writeQuorum;
    this.readQuorum = settings.readQuorum;
    this.readPolicy = settings.readPolicy;
    this.readRepair = settings.readRepair;
    this.hedgeDelay = settings.hedgeDelay;
    this.commandTimeout = settings.commandTimeout;
    this.scanCount = settings.scanCount;
    this.tombstoneTtlMs = Math.max(MIN_TOMBSTONE_MS, 3 * this.commandTimeout);
    this.codec = new SessionCodec(this.serializer);

    const listener: ReplicaListener = {
      changed: () => {
        this.setConnected(this.reachableServers >= this.writeQuorum);
        this.resync.changed();
      },
      // Deferred: an app's client may already be ready while the constructor runs.
      ready: (replica) => process.nextTick(() => this.emit('ready', replica.client, replica.index)),
      error: (error, replica) => this.reportReplicaError(error, replica),
      behind: (replica) => {
        // Without read repair nothing would ever bring it up to date: it is not told apart.
        if (this.readRepair) this.resync.request();
        else replica.clearBehind(replica.behindMark);
      },
    };
    const opened = openReplicaClients(plans);
    // Before any listener is attached, so a refusal leaves the app's clients as they were.
    if (settings.unref) {
      const refused = opened.findIndex(({ adapter }) => !adapter.unref());
      if (refused >= 0) {
        throw new InvalidOptionError('unref', `not supported by the client of clients[${refused}]`);
      }
    }
    this.replicas = opened.map((client, index) => new Replica(index, client, this.commandTimeout, listener));
    this.clients = this.replicas.map((replica) => replica.client);
    this.repairs = new ReadRepair({
      replicas: this.replicas,
      tombstoneTtlMs: this.tombstoneTtlMs,
      decode: (text) => this.codec.decode('', text),
      report: (error, replica) => this.reportReplicaError(error, replica),
    });
    this.resync = new Resync({
      replicas: this.replicas,
      divergentKeys: (required) =>
        scanDivergent({
          replicas: this.replicas,
          prefix: this.prefix,
          pattern: `${escapeGlob(this.prefix)}*`,
          count: this.scanCount,
          need: this.readQuorum,
          required,
        }),
      resyncKey: (key, required) => this.resyncKey(key, required),
      report: (error) => {
        if (!this.closed) this.reportError(this.classifyError(error));
      },
    });
    this.rounds = {
      replicas: this.replicas,
      policy: this.readPolicy,
      readQuorum: this.readQuorum,
      hedges: new HedgeTimer(),
      decode: (sid, answer) => this.codec.decode(sid, answer),
      decodedText: () => this.codec.decodedText,
      // With touchMargin, reads learn how long a write quorum keeps the session (see ReadRound).
      expiryQuorum: this.touchMargin > 0 ? this.writeQuorum : 0,
      corrupt: (sid, cause) => this.corruptData(sid, cause),
      loaded: (sid, session, version, text, expiresAt) => {
        // The stored text saves core a JSON snapshot of every session read.
        this.rememberLoaded(sid, session, version, text, expiresAt);
      },
      finished: (key, round) => this.repairs.afterRead(key, round),
    };
    this.choice = new ReplicaChoice(this.replicas);
    for (const replica of this.replicas) replica.connect();
  }

  /** How many servers are reachable right now. Below `writeQuorum` the store says `disconnect`. */
  get reachableServers(): number {
    let count = 0;
    for (const replica of this.replicas) if (replica.usable) count++;
    return count;
  }

  /**
   * How many reachable servers are known to be behind (they came back after an outage, or
   * failed a write that succeeded on the others) and are being resynced in the background.
   * While any is, reads ask every server. Always 0 with `readRepair: false`.
   */
  get serversBehind(): number {
    let count = 0;
    for (const replica of this.replicas) if (replica.behind && replica.usable) count++;
    return count;
  }

  /**
   * Resolves once nothing the store started is still running: writes still reaching
   * servers beyond their quorum, read repairs, and the resync of servers behind (the pass
   * about to start or running; not the wait before retrying a pass that failed). For
   * tests and orderly shutdowns.
   */
  async idle(): Promise<void> {
    const activities = [this.writes, this.repairs.activity, this.resync.activity];
    // A finished round trip may start another (a repair, the next step of a touch): look again.
    while (activities.some((activity) => activity.busy)) {
      await Promise.all(activities.map((activity) => activity.whenIdle()));
    }
  }

  // ---- primitives ------------------------------------------------------------

  /**
   * `'first'`: a hedged read (see ReadRound.askFirst) of the server the ReplicaChoice
   * picks, with a hedge delay of `hedgeDelay` but at least twice that server's usual round
   * trip (so a loaded server does not double its own load). Every server at once for
   * `'newest'`, and while a server is behind: it may hold an old copy or none, and its
   * answer must be compared with the others' to be repaired.
   */
  protected override readSession(sid: string): Promise<SessionData | null> {
    const key = this.key(sid);
    const repair = this.readRepair;
    if (repair) this.repairs.expect();
    const round = new ReadRound(this.rounds, sid, key, repair);
    // One hedged read in FULL_READ_EVERY asks every server, so copies that diverged without
    // this store knowing (written by another process, or while it was not running) still
    // meet a read that compares them, and converge.
    const askEveryone = repair && (this.resync.needed || ++this.hedgedReads % FULL_READ_EVERY === 0);
    if (this.readPolicy === 'first' && !askEveryone) {
      const now = performance.now();
      const first = this.choice.choose(now);
      if (first >= 0) {
        round.askFirst(first, now + Math.max(this.hedgeDelay, 2 * this.choice.estimate));
        return round.promise;
      }
    }
    round.askAll();
    return round.promise;
  }

  /**
   * Core's conditional save: SET_IF_VERSION on every server, `writeQuorum` of which must
   * still hold the version the request loaded; where it landed without a quorum it is taken
   * back (see writeIfToQuorum). With `userOf`, each server that writes it also files it in
   * the user indexes, in the same script; an entry left by a retracted save is harmless, as
   * core checks every listed session's user.
   */
  protected override async writeSessionIf(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    loaded: unknown,
    link?: UserLink,
  ): Promise<ConditionalWriteResult> {
    const key = this.key(sid);
    const version = processClock.next();
    const expected = String(loaded);
    const change = indexChange(link);
    const plan = change ? userIndexPlan(this.prefix, ttl, change) : undefined;
    const keys = plan ? [key, ...plan.keys] : [key];
    const writeArgs = [
      expected,
      this.codec.encode(sid, version, session),
      scriptTtl(ttl),
      sid,
      plan?.score ?? '',
      plan?.now ?? '',
      plan?.which ?? '',
    ];
    const retractArgs = [String(version), expected];
    const outcome = await writeIfToQuorum(this.replicas, this.writeQuorum, 'the save', {
      write: (replica) =>
        this.writes.track(replica.script(SET_IF_VERSION, keys, writeArgs).then(replyNumber)),
      retract: (replica) => this.writes.track(replica.script(RETRACT_VERSION, [key], retractArgs)),
      report: ({ replica, error }) => {
        replica.markBehind();
        this.reportReplicaError(error, replica);
      },
      reportRetraction: ({ replica, error }) => this.reportReplicaError(error, replica),
    });
    return outcome === 'written' ? { version } : outcome;
  }

  /**
   * With `userOf`, every server also files the session in its user's sorted set, in the same
   * script as the write (redis-store's), so each server's index converges with its sessions.
   */
  protected override writeSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    const key = this.key(sid);
    const value = this.codec.encode(sid, processClock.next(), session);
    const change = indexChange(link);
    if (change) {
      const plan = userIndexPlan(this.prefix, ttl, change);
      const keys = [key, ...plan.keys];
      const args = [value, scriptTtl(ttl), sid, plan.score, plan.now, plan.which];
      return this.writeAll('the write', (replica) => replica.script(SET_INDEXED, keys, args));
    }
    // A plain SET, not set-if-newer: an app server whose clock is behind must still be able
    // to save; versions only decide between copies that diverged.
    const args = ttl.kind === 'expire' ? ['SET', key, value, 'PX', String(ttl.ms)] : ['SET', key, value];
    return this.writeAll('the write', (replica) => replica.send(args));
  }

  /** Writes tombstones (see WRITE_TOMBSTONES): a plain DEL would let a late read repair resurrect the session. */
  protected override removeSession(sid: string): Promise<void> {
    return this.writeTombstones([this.key(sid)], 'the destroy');
  }

  protected override refreshSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    const cookie = (session as { cookie?: unknown }).cookie;
    const cookieJson = this.codec.cookieJson(sid, cookie) ?? '';
    const touch = {
      sid,
      key: this.key(sid),
      cookie: cookieJson === '' ? undefined : cookie,
      cookieJson,
      cookieBytes: String(Buffer.byteLength(cookieJson, 'utf8')),
      ttl: scriptTtl(ttl),
    };
    const user = link?.user;
    if (user === undefined)
      return this.writeAll('the touch', (replica) => touchReplica(replica, this.codec, touch));
    // The index entry's score (only if present: 'ux') and its key's expiry follow the session's.
    const indexKey = [userIndexKey(this.prefix, user)];
    const indexArgs = [sid, indexScore(ttl), String(Date.now()), 'ux'];
    return this.writeAll('the touch', (replica) =>
      Promise.all([
        touchReplica(replica, this.codec, touch),
        replica.script(INDEX_ONLY, indexKey, indexArgs),
      ]),
    );
  }

  /**
   * The union of the user's sorted sets on the servers (at least `readQuorum` must answer,
   * so every acknowledged write is seen); core reads each session, so a copy a server still
   * lists after a destroy is never listed.
   */
  protected override async userSessionIds(user: string): Promise<string[]> {
    const key = userIndexKey(this.prefix, user);
    const answered = await this.askQuorum(['ZRANGE', key, '0', '-1'], (reply) =>
      Array.isArray(reply) ? reply.map(replyText) : [],
    );
    return [...new Set(answered.flat())];
  }

  /** ZREM on every server. */
  protected override async unindexSessions(user: string, sids: readonly string[]): Promise<void> {
    const key = userIndexKey(this.prefix, user);
    for (let start = 0; start < sids.length; start += MAX_KEYS_PER_COMMAND) {
      const args = ['ZREM', key, ...sids.slice(start, start + MAX_KEYS_PER_COMMAND)];
      await this.writeAll('the index update', (replica) => replica.send(args));
    }
  }

  protected override scanIds(): AsyncIterable<string[]> {
    return scanUnion({
      replicas: this.replicas,
      prefix: this.prefix,
      pattern: `${escapeGlob(this.prefix)}*`,
      count: this.scanCount,
      need: this.readQuorum,
    });
  }

  /**
   * One MGET on every server for one batch of `all()` (core's 100 ids, well under
   * MAX_KEYS_PER_COMMAND); each session is the newest copy among the `readQuorum` or more
   * that answered.
   */
  protected override async readSessions(sids: readonly string[]): Promise<Array<SessionData | null>> {
    const keys = sids.map((sid) => this.key(sid));
    const answered = await this.askQuorum(['MGET', ...keys], (reply) => {
      if (!Array.isArray(reply)) throw new TypeError(`unexpected MGET reply: ${String(reply)}`);
      return reply as unknown[];
    });
    return Promise.all(
      sids.map(async (sid, position) => {
        let newest: StoredAnswer = null;
        for (const reply of answered) {
          const value = reply[position];
          const answer = value == null ? null : replyText(value);
          if (answerVersion(answer) > answerVersion(newest)) newest = answer;
        }
        if (newest === null) return null;
        try {
          return await this.codec.decode(sid, newest);
        } catch (err) {
          if (err instanceof CorruptSessionError) return this.corruptData(sid, err.cause);
          throw err;
        }
      }),
    );
  }

  protected override async removeSessions(sids: readonly string[]): Promise<void> {
    for (let start = 0; start < sids.length; start += MAX_KEYS_PER_COMMAND) {
      const keys = sids.slice(start, start + MAX_KEYS_PER_COMMAND).map((sid) => this.key(sid));
      await this.writeTombstones(keys, 'the clear');
    }
  }

  protected override async closeBackend(): Promise<void> {
    this.resync.stop();
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }

  protected override classifyError(err: unknown): SessionStoreError {
    return classifyRedisError(err, 'ReplicatedStore');
  }

  // ---- internals ---------------------------------------------------------------

  /**
   * One read command on every server: what `parse` makes of each answer (a throw from it
   * fails the call), from `readQuorum` servers at least, else `ERR_BACKEND_UNAVAILABLE`.
   */
  private async askQuorum<T>(args: string[], parse: (reply: unknown) => T): Promise<T[]> {
    const failures: ReplicaFailure[] = [];
    const replies = await Promise.all(
      this.replicas.map((replica) =>
        replica.send(args).then(parse, (error: unknown) => {
          failures.push({ replica, error });
          return undefined;
        }),
      ),
    );
    const answered = replies.filter((reply): reply is Awaited<T> => reply !== undefined);
    if (answered.length < this.readQuorum) {
      throw notEnoughServers(
        `only ${answered.length} of ${this.replicas.length} servers answered, ${this.readQuorum} needed`,
        failures,
      );
    }
    return answered;
  }

  /** A write on every server; a server that fails a write which succeeded is behind. */
  private writeAll(what: string, operation: (replica: Replica) => Promise<unknown>): Promise<void> {
    return writeToQuorum(
      this.replicas,
      this.writeQuorum,
      what,
      (replica) => this.writes.track(operation(replica)),
      ({ replica, error }) => {
        replica.markBehind();
        this.reportReplicaError(error, replica);
      },
    );
  }

  /**
   * The resync of one key: GET on every server, then the read repair of the stale copies.
   * Resolves whether the `required` servers (those being resynced) and `readQuorum` servers
   * in all answered, and every repair went through; failures are reported, never thrown.
   */
  private async resyncKey(key: string, required: readonly Replica[]): Promise<boolean> {
    const args = ['GET', key];
    const answers = await Promise.all(
      this.replicas.map((replica) =>
        replica.send(args).then(
          (reply): StoredAnswer | undefined => (reply == null ? null : replyText(reply)),
          (err: unknown) => {
            if (isWrongType(err)) return FOREIGN_VALUE;
            this.reportReplicaError(err, replica);
            return undefined;
          },
        ),
      ),
    );
    const repaired = await this.repairs.repairNow(key, answers);
    const answered = answers.filter((answer) => answer !== undefined).length;
    return (
      repaired &&
      answered >= this.readQuorum &&
      required.every((replica) => answers[replica.index] !== undefined)
    );
  }

  private writeTombstones(keys: string[], what: string): Promise<void> {
    const args = [String(processClock.next()), String(this.tombstoneTtlMs), String(NO_EXPIRY_TOMBSTONE_MS)];
    return this.writeAll(what, (replica) => replica.script(WRITE_TOMBSTONES, keys, args));
  }

  /**
   * A server failed while the operation as a whole went on: the `error` event, only when
   * someone listens (core's reportError), with the server's client and index attached. A
   * server already known to be down is not reported again on every command. Returns
   * whether the error was emitted.
   */
  private reportReplicaError(error: unknown, replica: Replica): boolean {
    if (this.closed || error instanceof ReplicaDownError) return false;
    if (this.listenerCount('error') === 0) return false;
    const reported = classifyRedisError(error, `ReplicatedStore (clients[${replica.index}])`);
    // Not enumerable: a logged error should not print the whole client.
    Object.defineProperty(reported, 'client', { value: replica.client, configurable: true, writable: true });
    (reported as SessionStoreError & { replica?: number }).replica = replica.index;
    this.reportError(reported as SessionStoreError & ReplicaErrorDetails);
    return true;
  }
}
