import { BackendUnavailableError, type SessionStoreError } from '@session-stores/core';
import { classifyRedisError, isUnavailable, ScriptReply } from '@session-stores/redis-store/connection';
import { type Replica, ReplicaDownError } from './replica';

/** One server's failure within an operation on several. */
export interface ReplicaFailure {
  readonly replica: Replica;
  readonly error: unknown;
}

function describeFailure({ replica, error }: ReplicaFailure): string {
  return `clients[${replica.index}]: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The error for an operation that did not get enough servers: `ERR_BACKEND_UNAVAILABLE`
 * when every failure was about availability (down, refused, too slow), otherwise the
 * first other failure, classified (a wrong password on every server is a configuration
 * problem, not an outage).
 */
export function notEnoughServers(summary: string, failures: readonly ReplicaFailure[]): SessionStoreError {
  const other = failures.find(
    ({ error }) => !(error instanceof BackendUnavailableError) && !isUnavailable(error),
  );
  if (other) return classifyRedisError(other.error, 'ReplicatedStore');
  const details = failures.map(describeFailure).join('; ');
  return new BackendUnavailableError(`ReplicatedStore: ${summary}${details ? ` (${details})` : ''}`, {
    cause: new AggregateError(
      failures.map(({ error }) => error),
      details,
    ),
  });
}

/**
 * The error for a write that cannot reach `need` servers because too many are known to be
 * down, so it is not sent at all (and not half applied either); undefined when it can.
 */
function tooFewReachable(
  replicas: readonly Replica[],
  need: number,
  what: string,
): SessionStoreError | undefined {
  const down = replicas.filter((replica) => replica.down);
  if (replicas.length - down.length >= need) return undefined;
  return notEnoughServers(
    `${what} was not sent: ${replicas.length - down.length} of ${replicas.length} servers are reachable, ${need} needed (writeQuorum)`,
    down.map((replica) => ({ replica, error: new ReplicaDownError(replica.index) })),
  );
}

/**
 * Sends one write to every server at once and resolves as soon as `need` of them
 * acknowledged it; the others still get it. Rejects as soon as `need` can no longer be
 * reached (a server known to be down fails at once, so this does not wait for it).
 * When too many servers are known to be down, nothing is sent at all, so a write that
 * cannot succeed is not half applied either. Failures of a write that succeeded go to
 * `report` (the store's `error` event).
 */
export function writeToQuorum(
  replicas: readonly Replica[],
  need: number,
  what: string,
  operation: (replica: Replica) => Promise<unknown>,
  report: (failure: ReplicaFailure) => void,
): Promise<void> {
  const tooFew = tooFewReachable(replicas, need, what);
  if (tooFew) return Promise.reject(tooFew);
  return new Promise<void>((resolve, reject) => {
    let acknowledged = 0;
    let done = false;
    const failures: ReplicaFailure[] = [];
    const onFailure = (failure: ReplicaFailure): void => {
      if (done) {
        report(failure);
        return;
      }
      failures.push(failure);
      if (failures.length > replicas.length - need) {
        done = true;
        reject(
          notEnoughServers(
            `${what} reached ${acknowledged} of ${replicas.length} servers, ${need} needed (writeQuorum)`,
            failures,
          ),
        );
      }
    };
    for (const replica of replicas) {
      let sent: Promise<unknown>;
      try {
        sent = operation(replica);
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        () => {
          acknowledged++;
          if (done || acknowledged < need) return;
          done = true;
          resolve();
          // The write stands; earlier failures on the other servers are now worth reporting.
          for (const failure of failures) report(failure);
        },
        (error: unknown) => onFailure({ replica, error }),
      );
    }
  });
}

/** How a conditional write ended: written on a quorum, or refused (see {@link writeIfToQuorum}). */
export type ConditionalOutcome = 'written' | 'changed' | 'gone';

/** The two round trips of a conditional write, on one server. */
export interface ConditionalSteps {
  /** The conditional write; resolves with the script's ScriptReply code. */
  write(replica: Replica): Promise<number>;
  /** Takes the write back where it landed but the quorum was missed. */
  retract(replica: Replica): Promise<unknown>;
  /** A server failed a write that stands (it is behind now). */
  report(failure: ReplicaFailure): void;
  /**
   * A retraction failed: reported, but the server is not marked behind, as a resync would
   * spread the copy that could not be taken back (its version is the highest).
   */
  reportRetraction(failure: ReplicaFailure): void;
}

/** A server being resynced answered that it holds no copy: that proves nothing either way. */
class UnknownCopyError extends BackendUnavailableError {
  constructor(replica: Replica) {
    super(`ReplicatedStore: clients[${replica.index}] is being resynced and holds no copy yet`);
  }
}

/**
 * Sends a conditional write to every server and resolves `'written'` once `need` of them
 * wrote it. When that can no longer happen, the write is taken back on the servers where it
 * landed (so a copy no quorum agreed on never outranks the one that did, nor a tombstone),
 * and the outcome is `'gone'` if a server holds the session's tombstone (or, while current,
 * no copy), else `'changed'` if a server holds another version, else `ERR_BACKEND_UNAVAILABLE`.
 * It resolves only after those retractions, so the re-read of a `'changed'` save meets none.
 */
export function writeIfToQuorum(
  replicas: readonly Replica[],
  need: number,
  what: string,
  steps: ConditionalSteps,
): Promise<ConditionalOutcome> {
  const tooFew = tooFewReachable(replicas, need, what);
  if (tooFew) return Promise.reject(tooFew);
  return new Promise<ConditionalOutcome>((resolve, reject) => {
    const landed: Replica[] = [];
    const failures: ReplicaFailure[] = [];
    let changed = 0;
    let gone = 0;
    let settled = 0;
    let outcome: 'written' | 'refused' | undefined;
    const retract = (replica: Replica): Promise<void> =>
      steps.retract(replica).then(
        () => undefined,
        (error: unknown) => steps.reportRetraction({ replica, error }),
      );
    const refuse = (): void => {
      outcome = 'refused';
      const finish = (): void => {
        if (gone > 0) resolve('gone');
        else if (changed > 0) resolve('changed');
        else
          reject(
            notEnoughServers(
              `${what} reached ${landed.length} of ${replicas.length} servers, ${need} needed (writeQuorum)`,
              failures,
            ),
          );
      };
      Promise.all(landed.map(retract)).then(finish);
    };
    const settle = (): void => {
      settled++;
      if (outcome !== undefined) return;
      if (landed.length >= need) {
        outcome = 'written';
        resolve('written');
        for (const failure of failures) steps.report(failure);
      } else if (landed.length + (replicas.length - settled) < need) {
        refuse();
      }
    };
    for (const replica of replicas) {
      let sent: Promise<number>;
      try {
        sent = steps.write(replica);
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        (reply) => {
          if (reply === ScriptReply.Done) {
            // Landing after a refusal: taken back at once (not awaited: the outcome is out).
            if (outcome === 'refused') void retract(replica);
            else landed.push(replica);
          } else if (reply === ScriptReply.Changed) {
            changed++;
          } else if (reply === ScriptReply.Missing && replica.behind) {
            failures.push({ replica, error: new UnknownCopyError(replica) });
          } else {
            gone++;
          }
          settle();
        },
        (error: unknown) => {
          if (outcome === 'written') steps.report({ replica, error });
          else failures.push({ replica, error });
          settle();
        },
      );
    }
  });
}
