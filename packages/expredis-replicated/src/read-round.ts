import type { SessionData } from '@session-stores/core';
import { readHeader } from './envelope';
import type { ReadPolicy } from './options';
import { notEnoughServers, type ReplicaFailure } from './quorum';
import type { Replica } from './replica';
import { FOREIGN_VALUE, type StoredAnswer } from './session-codec';

/** What a finished round knows, for read repair. */
export interface FinishedRound {
  /** Per server: its answer, or `undefined` when it failed. */
  readonly answers: ReadonlyArray<StoredAnswer | undefined>;
  /** The server whose copy was returned (-1 for none), and that copy decoded. */
  readonly winner: number;
  readonly winnerSession: SessionData | undefined;
}

/** What a round needs from the store. */
export interface RoundSettings {
  readonly replicas: readonly Replica[];
  readonly policy: ReadPolicy;
  /** Answers a 'newest' read waits for. */
  readonly readQuorum: number;
  /** Decodes one answer: the session, `null` for a tombstone; throws CorruptSessionError. */
  decode(answer: string | typeof FOREIGN_VALUE): Promise<SessionData | null>;
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

/**
 * One `get` over every server: collects the answers as they come and decides by the
 * read policy, then (once every server has answered or failed) hands everything to
 * `onFinished` for read repair.
 *
 * - `'first'`: the first answer that decodes to a session wins at once. A miss, a
 *   tombstone or a failure never wins; when no server has the session, the read is a
 *   miss as soon as every server has answered, provided at least one did (else
 *   `ERR_BACKEND_UNAVAILABLE`).
 * - `'newest'`: once `readQuorum` servers have answered, the highest version among them
 *   wins (a tombstone or a miss means no session); fewer answers is `ERR_BACKEND_UNAVAILABLE`.
 */
export class ReadRound {
  private readonly answers: Array<StoredAnswer | undefined>;
  private readonly failures: ReplicaFailure[] = [];
  private answered = 0;
  private decoding = 0;
  private decided = false;
  private finished = false;
  private corrupt: unknown;
  private winner = -1;
  private winnerSession: SessionData | undefined;

  constructor(
    private readonly settings: RoundSettings,
    private readonly resolve: (session: SessionData | null) => void,
    private readonly reject: (err: unknown) => void,
    private readonly onFinished: ((round: FinishedRound) => void) | undefined,
  ) {
    this.answers = new Array(settings.replicas.length);
  }

  /** A server answered. */
  answer(index: number, answer: StoredAnswer): void {
    this.answers[index] = answer;
    this.answered++;
    if (this.settings.policy === 'first') this.firstAnswer(index, answer);
    else this.newestProgress();
    this.maybeFinish();
  }

  /** A server failed (down, too slow, an error reply). */
  fail(index: number, error: unknown): void {
    this.failures.push({ replica: this.settings.replicas[index] as Replica, error });
    if (this.settings.policy === 'first') this.firstExhausted();
    else this.newestProgress();
    this.maybeFinish();
  }

  private get settled(): number {
    return this.answered + this.failures.length;
  }

  private firstAnswer(index: number, answer: StoredAnswer): void {
    if (this.decided || answer === null || isTombstone(answer)) {
      this.firstExhausted();
      return;
    }
    this.decoding++;
    this.settings.decode(answer).then(
      (session) => {
        this.decoding--;
        if (session && !this.decided) this.win(index, session);
        else this.firstExhausted();
        this.maybeFinish();
      },
      (err: unknown) => {
        this.decoding--;
        // Another server may hold a copy that decodes; the corruption is reported only if none does.
        this.corrupt ??= err;
        this.firstExhausted();
        this.maybeFinish();
      },
    );
  }

  /** Decides a 'first' read that no copy won, once nothing more can arrive. */
  private firstExhausted(): void {
    if (this.decided || this.decoding > 0 || this.settled < this.answers.length) return;
    this.decided = true;
    if (this.corrupt !== undefined) this.reject(this.corrupt);
    else if (this.answered > 0) this.resolve(null);
    else this.reject(notEnoughServers('no server answered the read', this.failures));
  }

  private newestProgress(): void {
    if (this.decided) return;
    const { readQuorum, replicas } = this.settings;
    if (this.answered >= readQuorum) {
      this.decided = true;
      this.decideNewest();
    } else if (replicas.length - this.failures.length < readQuorum) {
      this.decided = true;
      this.reject(
        notEnoughServers(
          `only ${this.answered} of ${replicas.length} servers answered the read, ${readQuorum} needed (readPolicy 'newest')`,
          this.failures,
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
    this.decoding++;
    this.settings.decode(answer).then(
      (session) => {
        this.decoding--;
        if (session) this.win(best, session);
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

  private win(index: number, session: SessionData): void {
    this.decided = true;
    this.winner = index;
    this.winnerSession = session;
    this.resolve(session);
  }

  private maybeFinish(): void {
    if (this.finished || !this.decided || this.decoding > 0 || this.settled < this.answers.length) return;
    this.finished = true;
    this.onFinished?.({ answers: this.answers, winner: this.winner, winnerSession: this.winnerSession });
  }
}
