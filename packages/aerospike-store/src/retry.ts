import * as Aerospike from 'aerospike';
import { resultCode } from './aerospike-errors';

/** Retries after "key busy", with their base delays in ms (doubled each time, plus jitter). */
export const BUSY_RETRIES = 5;
const BUSY_BASE_DELAY_MS = 5;

/**
 * Runs a single-record command, retrying it when the server answers "key busy"
 * (ERR_RECORD_BUSY, 14). A server queues at most `transaction-pending-limit`
 * (default 20) commands per record and refuses the rest, which parallel requests of
 * one user can reach. The client does not retry this code itself; a short backoff
 * is enough, as the queue drains in microseconds.
 *
 * @param command the command; called again on each retry.
 * @param retries how many retries at most.
 */
export async function retryWhenBusy<T>(command: () => Promise<T>, retries = BUSY_RETRIES): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await command();
    } catch (err) {
      if (resultCode(err) !== Aerospike.status.ERR_RECORD_BUSY || attempt >= retries) throw err;
      const delay = BUSY_BASE_DELAY_MS * 2 ** attempt;
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    }
  }
}
