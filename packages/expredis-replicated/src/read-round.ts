import { CorruptSessionError, type SessionData } from '@session-stores/core';
import { expiryFromPttl, isWrongType, replyText } from '@session-stores/redis-store/connection';
import { readHeader } from './envelope';
import type { Hedged, HedgeTimer } from './hedge-timer';
import type { ReadPolicy } from './options';
import { notEnoughServers, type ReplicaFailure } from './quorum';
import type { Replica } from './replica';
import { FOREIGN_VALUE, type StoredAnswer } from './session-codec';

/** What a finished round knows, for read repair. */
export interface FinishedRound {
  /** Per server: its answer, or `undefined` when it failed or was not asked. */
  readonly answers: ReadonlyArray<StoredAnswer | undefined>;
  /** The server whose copy was returned (-1 for none), and that copy decoded. */
  readonly winner: number;
  readonly winnerSession: SessionData | undefined;
}

/** What a round needs from the store: the same for every read. */
export interface RoundSettings {
  readonly replicas: readonly Replica[];
  readonly policy: ReadPolicy;
  /** Answers a 'newest' read waits for. */
  readonly readQuorum: number;
  /** Where hedged reads wait for their hedge delay. */
  readonly hedges: HedgeTimer;
  /**
   * Decodes one answer: the session, `null` for a tombstone, or a promise of either (for
   * serializer output); throws CorruptSessionError (the promise rejects with it).
   */
  decode(
    sid: string,
    answer: string | typeof FOREIGN_VALUE,
  ): SessionData | null | Promise<SessionData | null>;
  /** What a read that found only corrupt data returns (`null`), or throws (the store's `onCorrupt`). */
  corrupt(sid: string, err: unknown): null;
  /**
   * What the last `decode` call found for core's merge base (SessionCodec.decodedText): read
   * right after it, as the next decode replaces it.
   */
  decodedText(): string | undefined;
  /**
   * With `touchMargin`: how many servers must be known to keep a copy for an expiry to be
   * reported, the write quorum (see {@link ReadRound}); 0 when no expiry is wanted (reads
   * then send GET alone).
   */
  readonly expiryQuorum: number;
  /**
   * Takes note of the session a read returns: the version of the copy it came from, the text
   * its merge base can be decoded from (undefined: none), and the expiry bound (undefined: none).
   */
  loaded(
    sid: string,
    session: SessionData,
    version: number,
    text: string | undefined,
    expiresAt: number | undefined,
  ): void;
  /** Called once every server asked has answered or failed, for rounds made with `repair` (read repair). */
  finished(key: string, round: FinishedRound): void;
}

/** The version an answer stands for: -1 missing, 0 legacy (or foreign), else its header's. */
export function answerVersion(answer: StoredAnswer): number {
  if (answer === null) return -1;
  if (answer === FOREIGN_VALUE) return 0;
  return readHeader(answer).version;
}

function isTombstone(answer: StoredAnswer): boolean {
  return typeof answer === 'string' && readHeader(answer).kind === 'tombstone';
}

/** The resolving functions of the promise made last (read at once by the constructor). */
let capturedResolve: ((session: SessionData | null) => void) | undefined;
let capturedReject: ((err: unknown) => void) | undefined;

/** One shared promise executor (no closure per read): stores the functions above. */
function capture(resolve: (session: SessionData | null) => void, reject: (err: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * One `get`: sends GET to the servers, collects the answers as they come and decides by
 * the read policy, then (once every server asked has answered or failed) hands everything
 * to `finished` for read repair.
 *
 * - `'first'`: the first answer that decodes to a session wins at once. A miss, a
 *   tombstone or a failure never wins; when no server asked has the session, the read is
 *   a miss as soon as every one has answered, provided at least one did (else
 *   `ERR_BACKEND_UNAVAILABLE`). Hedged ({@link askFirst}): one server is asked, the others
 *   only if it has not answered within the hedge delay, or answered without a session
 *   (missing, unreadable, failed). A tombstone from it is a definitive miss: the session
 *   was destroyed, after any live copy elsewhere was written.
 * - `'newest'`: every server is asked; once `readQuorum` have answered, the highest
 *   version among them wins (a tombstone or a miss means no session); fewer answers is
 *   `ERR_BACKEND_UNAVAILABLE`.
 *
 * With `touchMargin` (`expiryQuorum` W > 0), each GET goes with a PTTL of the same key in the
 * same round trip, and a hedged read also sends PTTL alone to W − 1 other servers. The expiry
 * reported to core is a lower bound on how long a write quorum keeps the session: the W-th
 * latest of the servers' expiries known, each counted from before its command was sent (so
 * never later than the server's own). A touch written instead would reach W servers; one is
 * skipped only while W servers already keep the session at least that long, so losing the
 * servers a write may lose never shortens a session more than it would have. One server's
 * PTTL alone would not do: a write that reached it but missed its quorum (a failure
 * reported to its caller) leaves it keeping the session longer than the others. A key a
 * server lacks counts as kept by nothing, a tombstone as kept (a touch never revives a
 * destroyed session). The session is handed over once W expiries are known, or once none
 * can still arrive, or (hedged) at the hedge delay: then without a bound, and its touch is
 * written.
 */
export class ReadRound implements FinishedRound, Hedged {
  /** The read's outcome: the session, `null` for none. */
  readonly promise: Promise<SessionData | null>;
  // The round is its own FinishedRound (no object made per read for repair).
  readonly answers: Array<StoredAnswer | undefined>;
  winner = -1;
  winnerSession: SessionData | undefined;
  private readonly resolve: (session: SessionData | null) => void;
  private readonly rejectRound: (err: unknown) => void;
  /** Made on the first failure: most reads have none. */
  private failures: ReplicaFailure[] | undefined;
  private failed = 0;
  private readonly args: string[];
  private asked = 0;
  private answered = 0;
  private decoding = 0;
  private decided = false;
  private finished = false;
  private corrupt: unknown;
  /** With touchMargin: per server, the expiry known (NaN: none), and how many are known. */
  private readonly expiries: number[] | undefined;
  private expiriesKnown = 0;
  /** Round trips under way that will report an expiry. */
  private expiriesPending = 0;
  /** A won session waiting for expiries (its server is `winner`), and its merge-base text. */
  private held: SessionData | undefined;
  private heldText: string | undefined;
  /** Hedged: the server asked first; -1 when every server was asked at once. */
  private primary = -1;
  /** Whether the servers besides the primary were asked (always, when not hedged). */
  private restAsked = true;
  // Its place in the HedgeTimer's list (see Hedged).
  hedgeAt = 0;
  hedgeQueued = false;
  hedgePrevious: Hedged | undefined;
  hedgeNext: Hedged | undefined;

  constructor(
    private readonly settings: RoundSettings,
    private readonly sid: string,
    private readonly key: string,
    private readonly repair: boolean,
  ) {
    this.promise = new Promise<SessionData | null>(capture);
    this.resolve = capturedResolve as (session: SessionData | null) => void;
    this.rejectRound = capturedReject as (err: unknown) => void;
    this.answers = new Array(settings.replicas.length);
    this.args = ['GET', key];
    this.expiries =
      settings.expiryQuorum > 0 ? new Array(settings.replicas.length).fill(Number.NaN) : undefined;
  }

  /** Asks every server at once. */
  askAll(): void {
    for (let index = 0; index < this.answers.length; index++) this.ask(index);
  }

  /**
   * Hedged 'first' read: asks server `index`, and the others at `hedgeAt` (performance.now()
   * time) unless it answered with a session (or a tombstone) by then, or at once when it
   * answers without one.
   */
  askFirst(index: number, hedgeAt: number): void {
    this.primary = index;
    this.restAsked = false;
    this.ask(index);
    if (this.expiries) this.probeExpiries(index);
    this.settings.hedges.add(this, hedgeAt);
  }

  /**
   * The hedge delay ran out: asks the other servers (if the read is still undecided), or
   * hands over a won session still waiting for expiries, without a bound.
   */
  hedge(): void {
    // Past the poll phase first: replies that arrived while the event loop was busy count.
    if (this.held) setImmediate(() => this.held && this.deliver());
    else if (!this.decided) this.askRest();
  }

  private ask(index: number): void {
    this.asked++;
    const replica = this.settings.replicas[index] as Replica;
    if (!this.expiries) {
      replica.send(this.args).then(
        (reply) => this.answer(index, reply == null ? null : replyText(reply)),
        (err: unknown) => {
          if (isWrongType(err)) this.answer(index, FOREIGN_VALUE);
          else this.fail(index, err);
        },
      );
      return;
    }
    // GET and PTTL leave together, in one round trip.
    const sentAt = Date.now();
    const key = this.key;
    this.expiriesPending++;
    replica
      .call((send) => Promise.all([send(this.args), send(['PTTL', key])]))
      .then(
        ([reply, pttl]) => {
          this.expiriesPending--;
          this.noteExpiry(index, sentAt, pttl);
          this.answer(index, reply == null ? null : replyText(reply));
          this.releaseHeld();
        },
        (err: unknown) => {
          this.expiriesPending--;
          if (isWrongType(err)) this.answer(index, FOREIGN_VALUE);
          else this.fail(index, err);
          this.releaseHeld();
        },
      );
  }

  /**
   * Hedged with touchMargin: PTTL alone to W − 1 reachable servers besides the one asked, so
   * the read can know how long a write quorum keeps the session. The servers that follow the
   * one asked (in `clients` order): reads of one ReplicaChoice turn ask the same server first,
   * so their PTTLs also leave together, on one connection each. Not sent when too few are
   * reachable to know it anyway.
   */
  private probeExpiries(primary: number): void {
    const { replicas, expiryQuorum } = this.settings;
    if (expiryQuorum < 2) return;
    let reachable = 0;
    for (const replica of replicas) if (replica.index !== primary && replica.usable) reachable++;
    if (reachable < expiryQuorum - 1) return;
    const args = ['PTTL', this.key];
    let sent = 0;
    for (let step = 1; step < replicas.length && sent < expiryQuorum - 1; step++) {
      const index = (primary + step) % replicas.length;
      const replica = replicas[index] as Replica;
      if (!replica.usable) continue;
      sent++;
      const sentAt = Date.now();
      this.expiriesPending++;
      replica.send(args).then(
        (pttl) => {
          this.expiriesPending--;
          this.noteExpiry(index, sentAt, pttl);
          this.releaseHeld();
        },
        () => {
          this.expiriesPending--;
          this.releaseHeld();
        },
      );
    }
  }

  /** Server `index` answered PTTL for a command sent at `sentAt` (epoch ms). */
  private noteExpiry(index: number, sentAt: number, pttl: unknown): void {
    const expiries = this.expiries as number[];
    // No key (or an unusable reply): this server keeps nothing.
    const at = expiryFromPttl(pttl, sentAt) ?? Number.NEGATIVE_INFINITY;
    const known = expiries[index] as number;
    if (Number.isNaN(known)) {
      this.expiriesKnown++;
      expiries[index] = at;
    } else if (at < known) {
      expiries[index] = at;
    }
  }

  /** The W-th latest expiry known (see the class comment), or undefined when fewer than W are known. */
  private expiryBound(): number | undefined {
    const need = this.settings.expiryQuorum;
    if (this.expiriesKnown < need) return undefined;
    const known = (this.expiries as number[]).filter((at) => !Number.isNaN(at)).sort((a, b) => b - a);
    const at = known[need - 1] as number;
    return at === Number.NEGATIVE_INFINITY ? undefined : at;
  }

  private askRest(): void {
    if (this.restAsked) return;
    this.restAsked = true;
    if (this.hedgeQueued) this.settings.hedges.remove(this);
    for (let index = 0; index < this.answers.length; index++) if (index !== this.primary) this.ask(index);
  }

  /** A server answered. */
  private answer(index: number, answer: StoredAnswer): void {
    this.answers[index] = answer;
    this.answered++;
    if (this.settings.policy === 'first') this.firstAnswer(index, answer);
    else this.newestProgress();
    this.maybeFinish();
  }

  /** A server failed (down, too slow, an error reply). */
  private fail(index: number, error: unknown): void {
    this.failures ??= [];
    this.failures.push({ replica: this.settings.replicas[index] as Replica, error });
    this.failed++;
    if (this.settings.policy === 'first') this.notFound(index);
    else this.newestProgress();
    this.maybeFinish();
  }

  /** Rejects the read; corrupt data is the store's `onCorrupt` to handle. */
  private reject(err: unknown): void {
    if (!(err instanceof CorruptSessionError)) {
      this.rejectRound(err);
      return;
    }
    try {
      this.resolve(this.settings.corrupt(this.sid, err.cause));
    } catch (corrupt) {
      this.rejectRound(corrupt);
    }
  }

  private get settled(): number {
    return this.answered + this.failed;
  }

  private firstAnswer(index: number, answer: StoredAnswer): void {
    if (this.decided) return;
    if (answer === null) {
      this.notFound(index);
      return;
    }
    // Decoding says null for a tombstone (the one thing it decodes to null).
    let decoded: SessionData | null | Promise<SessionData | null>;
    try {
      decoded = this.settings.decode(this.sid, answer);
    } catch (err) {
      this.unreadable(index, err);
      return;
    }
    const text = this.settings.decodedText();
    if (!(decoded instanceof Promise)) {
      if (decoded) this.win(index, decoded, text);
      else this.tombstone(index);
      return;
    }
    this.decoding++;
    decoded.then(
      (session) => {
        this.decoding--;
        if (this.decided) this.notFound(index);
        else if (session) this.win(index, session, text);
        else this.tombstone(index);
        this.maybeFinish();
      },
      (err: unknown) => {
        this.decoding--;
        this.unreadable(index, err);
        this.maybeFinish();
      },
    );
  }

  /** Server `index` holds a tombstone: the session was destroyed. */
  private tombstone(index: number): void {
    if (index !== this.primary) {
      this.notFound(index);
      return;
    }
    // From the server asked first: a definitive miss, as a live copy elsewhere can only be older.
    this.decide();
    this.resolve(null);
  }

  /** Server `index` holds a copy that cannot be decoded. */
  private unreadable(index: number, err: unknown): void {
    // Another server may hold a copy that decodes; the corruption is reported only if none does.
    this.corrupt ??= err;
    this.notFound(index);
  }

  /** Server `index` has no session to give: the others are asked if it was the only one, then maybe decide. */
  private notFound(index: number): void {
    if (this.decided) return;
    if (index === this.primary) this.askRest();
    this.firstExhausted();
  }

  /** Decides a 'first' read that no copy won, once nothing more can arrive. */
  private firstExhausted(): void {
    if (this.decided || this.decoding > 0 || this.settled < this.asked) return;
    this.decide();
    if (this.corrupt !== undefined) this.reject(this.corrupt);
    else if (this.answered > 0) this.resolve(null);
    else this.reject(notEnoughServers('no server answered the read', this.failures ?? []));
  }

  private newestProgress(): void {
    if (this.decided) return;
    const { readQuorum, replicas } = this.settings;
    if (this.answered >= readQuorum) {
      this.decide();
      this.decideNewest();
    } else if (replicas.length - this.failed < readQuorum) {
      this.decide();
      this.reject(
        notEnoughServers(
          `only ${this.answered} of ${replicas.length} servers answered the read, ${readQuorum} needed (readPolicy 'newest')`,
          this.failures ?? [],
        ),
      );
    }
  }

  private decideNewest(): void {
    let best = -1;
    let bestVersion = -1;
    this.answers.forEach((answer, index) => {
      if (answer === undefined) return;
      const version = answerVersion(answer);
      if (version > bestVersion) {
        best = index;
        bestVersion = version;
      }
    });
    const answer = best < 0 ? null : (this.answers[best] as StoredAnswer);
    if (answer === null || isTombstone(answer)) {
      this.resolve(null);
      return;
    }
    let decoded: SessionData | null | Promise<SessionData | null>;
    try {
      decoded = this.settings.decode(this.sid, answer);
    } catch (err) {
      this.reject(err);
      return;
    }
    const text = this.settings.decodedText();
    if (!(decoded instanceof Promise)) {
      if (decoded) this.win(best, decoded, text);
      else this.resolve(null);
      return;
    }
    this.decoding++;
    decoded.then(
      (session) => {
        this.decoding--;
        if (session) this.win(best, session, text);
        else this.resolve(null);
        this.maybeFinish();
      },
      (err: unknown) => {
        this.decoding--;
        this.reject(err);
        this.maybeFinish();
      },
    );
  }

  /** The outcome is known (it may still be settling, while decoding): no hedge any more. */
  private decide(): void {
    this.decided = true;
    if (this.hedgeQueued) this.settings.hedges.remove(this);
  }

  private win(index: number, session: SessionData, text: string | undefined): void {
    this.winner = index;
    this.winnerSession = session;
    if (this.expiries && this.expiriesKnown < this.settings.expiryQuorum && this.expiriesPending > 0) {
      // Waits for expiries; a hedged read keeps its hedge timer, which ends the wait.
      this.decided = true;
      this.held = session;
      this.heldText = text;
      return;
    }
    this.decide();
    const version = answerVersion(this.answers[index] as StoredAnswer);
    this.settings.loaded(this.sid, session, version, text, this.expiries ? this.expiryBound() : undefined);
    this.resolve(session);
  }

  /** A held session is handed over once W expiries are known or none can still arrive. */
  private releaseHeld(): void {
    if (this.held && (this.expiriesKnown >= this.settings.expiryQuorum || this.expiriesPending === 0)) {
      this.deliver();
    }
  }

  /** Hands a held session over, with the expiry bound if one is known by now. */
  private deliver(): void {
    const session = this.held as SessionData;
    const text = this.heldText;
    this.held = undefined;
    this.heldText = undefined;
    this.decide();
    const version = answerVersion(this.answers[this.winner] as StoredAnswer);
    this.settings.loaded(this.sid, session, version, text, this.expiryBound());
    this.resolve(session);
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || !this.decided || this.decoding > 0 || this.settled < this.asked) return;
    this.finished = true;
    if (this.repair) this.settings.finished(this.key, this);
  }
}
