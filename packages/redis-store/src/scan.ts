import type { NodeSender } from './client-adapter';
import { replyText } from './reply';

/** Runs one round trip under the store's deadline. */
export type Bounded = <T>(send: () => Promise<T>) => Promise<T>;

/**
 * Yields the keys matching `pattern` with `SCAN cursor MATCH pattern COUNT count`, one
 * page at a time, on every given master in turn (a cluster spreads keys over all of
 * them). SCAN may return a key more than once; callers that need each key once dedupe.
 */
export async function* scanKeys(
  masters: readonly NodeSender[],
  pattern: string,
  count: number,
  bounded: Bounded,
): AsyncGenerator<string[]> {
  for (const send of masters) {
    let cursor = '0';
    do {
      const reply = await bounded(() => send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)]));
      if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
        throw new TypeError(`unexpected SCAN reply: ${String(reply)}`);
      }
      cursor = replyText(reply[0]);
      const keys = (reply[1] as unknown[]).map(replyText);
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}
