import type { SessionData } from '@session-stores/core';
import { Activity } from './activity';
import { readHeader } from './envelope';
import { answerVersion, type FinishedRound } from './read-round';
import type { Replica } from './replica';
import { SET_IF_NEWER } from './scripts';
import { FOREIGN_VALUE, type StoredAnswer } from './session-codec';

/** What repair needs from the store. */
export interface RepairSettings {
  readonly replicas: readonly Replica[];
  /** How long a tombstone copied by a repair lives, in ms. */
  readonly tombstoneTtlMs: number;
  /** Decodes a stored session (a copy that cannot be read is never spread); throws when it cannot. */
  decode(text: string): SessionData | null | Promise<SessionData | null>;
  /** Reports a failed repair (the store's `error` event). */
  report(error: unknown, replica: Replica): void;
}

/**
 * Read repair, in the background of a `get`: once every server asked has answered, the
 * newest copy seen (the highest version; a tombstone counts) is written, byte for byte, to
 * the servers that answered with an older or missing one. So divergent replicas converge,
 * and a server that came back empty is refilled by the reads (which ask every server while
 * one is behind) and by the resync (see resync.ts), which runs the same repair.
 *
 * The write is the SET_IF_NEWER script: it lands only where the server still holds an
 * older version. A session destroyed after the read started left a tombstone with a newer
 * version on every server the destroy reached, so the repair cannot bring it back there.
 */
export class ReadRepair {
  /** Repairs under way, one per server and key, so parallel reads of one session repair it once. */
  private readonly running = new Set<string>();
  /** Reads whose repair is still to come, and repairs under way. */
  readonly activity = new Activity();

  constructor(private readonly settings: RepairSettings) {}

  /** Marks a read whose repair is still to come; pair with {@link afterRead}. */
  expect(): void {
    this.activity.begin();
  }

  /** Repairs what a finished read found stale. */
  afterRead(key: string, round: FinishedRound): void {
    // Nearly always every server holds the same bytes: nothing to compare, nothing to await.
    if (allSame(round.answers)) {
      this.activity.end();
      return;
    }
    this.repair(key, round)
      .catch(() => undefined)
      .finally(this.activity.end);
  }

  /**
   * Repairs one key from the answers of a read that asked every server (a resync), and
   * resolves once done: `true` when every repair it needed was written (or was not needed).
   * Failures go to `report`; it never rejects.
   */
  repairNow(key: string, answers: ReadonlyArray<StoredAnswer | undefined>): Promise<boolean> {
    if (allSame(answers)) return Promise.resolve(true);
    return this.activity.track(
      this.repair(key, { answers, winner: -1, winnerSession: undefined }).catch(() => false),
    );
  }

  /** Writes the newest copy to the stale servers; resolves whether every write needed went through. */
  private async repair(key: string, { answers, winner, winnerSession }: FinishedRound): Promise<boolean> {
    let best = -1;
    let bestVersion = -1;
    answers.forEach((answer, index) => {
      if (answer === undefined || answer === FOREIGN_VALUE) return;
      const version = answerVersion(answer);
      if (version > bestVersion) {
        best = index;
        bestVersion = version;
      }
    });
    const copy = answers[best];
    if (typeof copy !== 'string') return true;
    const stale = answers.flatMap((answer, index) =>
      answer !== undefined && answer !== FOREIGN_VALUE && answerVersion(answer) < bestVersion ? [index] : [],
    );
    if (stale.length === 0) return true;
    let ttl: string | undefined;
    try {
      ttl = await this.copyTtl(copy, best, key, best === winner ? winnerSession : undefined);
    } catch (err) {
      this.settings.report(err, this.settings.replicas[best] as Replica);
      return false;
    }
    // Nothing to spread: the copy cannot be read, or it expired meanwhile.
    if (ttl === undefined) return true;
    const written = await Promise.all(stale.map((index) => this.write(index, key, bestVersion, copy, ttl)));
    return written.every(Boolean);
  }

  /**
   * The TTL of the copy: a tombstone's own; for a session, what is left of the newest
   * copy's life on its replica, so a repair never extends a session (a `ttl` function
   * would give every copy a fresh full TTL); undefined to skip.
   */
  private async copyTtl(
    copy: string,
    source: number,
    key: string,
    decoded: SessionData | undefined,
  ): Promise<string | undefined> {
    if (readHeader(copy).kind === 'tombstone') return String(this.settings.tombstoneTtlMs);
    let session: SessionData | null | undefined = decoded;
    if (!session) {
      try {
        session = await this.settings.decode(copy);
      } catch {
        // Never spread a copy that cannot be read.
        return undefined;
      }
    }
    if (!session) return undefined;
    const remaining = Number(await (this.settings.replicas[source] as Replica).send(['PTTL', key]));
    if (remaining === -1) return ''; // the newest copy never expires
    return remaining > 0 ? String(remaining) : undefined; // -2: it expired meanwhile
  }

  /** Resolves false when the write failed (reported); true when written, refused as older, or already under way. */
  private async write(
    index: number,
    key: string,
    version: number,
    copy: string,
    ttl: string,
  ): Promise<boolean> {
    const replica = this.settings.replicas[index] as Replica;
    const id = `${index}\u0000${key}`;
    if (this.running.has(id)) return true;
    this.running.add(id);
    try {
      await replica.script(SET_IF_NEWER, [key], [String(version), copy, ttl]);
      return true;
    } catch (err) {
      this.settings.report(err, replica);
      return false;
    } finally {
      this.running.delete(id);
    }
  }
}

/** Whether every server that answered gave the same answer. */
function allSame(answers: FinishedRound['answers']): boolean {
  let first: FinishedRound['answers'][number];
  for (const answer of answers) {
    if (answer === undefined) continue;
    if (first === undefined) first = answer;
    else if (answer !== first) return false;
  }
  return true;
}
