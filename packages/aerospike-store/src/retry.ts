import * as Aerospike from 'aerospike';
import { resultCode } from './aerospike-errors';

/** Retries after "key busy", with their base delays in ms (doubled each time, plus jitter). */
export const BUSY_RETRIES = 5;
const BUSY_BASE_DELAY_MS = 5;

/** A Node-style callback, as the aerospike client calls it: an error, or `null` and the result. */
export type NodeCallback<T> = (err: unknown, value?: T) => void;

/**
 * Runs a single-record command, retrying it when the server answers "key busy"
 * (ERR_RECORD_BUSY, 14). A server queues at most `transaction-pending-limit`
 * (default 20) commands per record and refuses the rest, which parallel requests of
 * one user can reach. The client does not retry this code itself; a short backoff
 * is enough, as the queue drains in microseconds.
 *
 * Callback-based rather than async, and without named closures: it runs for every get,
 * set and touch, where each promise layer costs throughput, and the build's `keepNames`
 * gives each named closure a `name` property as it is created (about 2,500 instructions).
 *
 * @param issue sends the command, calling `done` with its outcome; called again on each retry.
 * @param done receives the last outcome.
 * @param retries how many retries at most.
 * @param attempt how many retries came before this one.
 */
export function retryWhenBusy<T>(
  issue: (done: NodeCallback<T>) => void,
  done: NodeCallback<T>,
  retries = BUSY_RETRIES,
  attempt = 0,
): void {
  try {
    issue((err, value) => {
      if (err && attempt < retries && resultCode(err) === Aerospike.status.ERR_RECORD_BUSY) {
        const delay = BUSY_BASE_DELAY_MS * 2 ** attempt;
        setTimeout(retryWhenBusy, delay + Math.random() * delay, issue, done, retries, attempt + 1);
      } else {
        done(err, value);
      }
    });
  } catch (err) {
    // The client checks its arguments synchronously: that failure is the command's outcome.
    done(err);
  }
}
