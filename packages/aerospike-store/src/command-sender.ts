import type { AerospikeConnection, CommandTarget } from './connection';
import { type NodeCallback, retryWhenBusy } from './retry';

/** Sends one command on `target.client` with the client's callback API, passing it `done`. */
export type Issue<T> = (target: CommandTarget, done: NodeCallback<T>) => void;

/**
 * Sends one single-record command within the client's in-flight cap, retrying "key busy",
 * and calls `done` with the client's answer. While it waits for a slot and runs it counts
 * as under way, so `close()` lets it finish before closing the client; a failure that
 * says the cluster is gone marks it unreachable.
 *
 * Callbacks rather than promises: this is the path of every get, set and touch, and each
 * promise layer (an async function, an awaited promise) measurably costs throughput.
 */
export function sendCommand<T>(
  connection: AerospikeConnection,
  issue: Issue<T>,
  done: NodeCallback<T>,
): void {
  const target = connection.acquireNow();
  if (target) sendWith(connection, target, issue, done);
  else connection.acquire().then((ready) => sendWith(connection, ready, issue, done), done);
}

function sendWith<T>(
  connection: AerospikeConnection,
  target: CommandTarget,
  issue: Issue<T>,
  done: NodeCallback<T>,
): void {
  connection.begin();
  target.limiter.startCommand(() =>
    retryWhenBusy<T>(
      (settle) => issue(target, settle),
      (err, value) => {
        target.limiter.releaseCommand();
        connection.end();
        if (err) connection.noteFailure(err);
        done(err, value);
      },
    ),
  );
}
