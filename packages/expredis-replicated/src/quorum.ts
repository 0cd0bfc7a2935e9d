import { BackendUnavailableError, type SessionStoreError } from '@session-stores/core';
import { classifyRedisError, isUnavailable } from '@session-stores/redis-store/connection';
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
  const down = replicas.filter((replica) => replica.down);
  if (replicas.length - down.length < need) {
    return Promise.reject(
      notEnoughServers(
        `${what} was not sent: ${replicas.length - down.length} of ${replicas.length} servers are reachable, ${need} needed (writeQuorum)`,
        down.map((replica) => ({ replica, error: new ReplicaDownError(replica.index) })),
      ),
    );
  }
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
