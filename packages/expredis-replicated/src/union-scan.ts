import { BATCH_SIZE } from '@session-stores/core';
import { replyText } from '@session-stores/redis-store/connection';
import { notEnoughServers, type ReplicaFailure } from './quorum';
import type { Replica } from './replica';
import { READ_HEADERS } from './scripts';

/** The newest thing seen under one key across the servers. */
interface Seen {
  version: number;
  live: boolean;
}

/** Reads one READ_HEADERS entry: undefined for a key that is gone or not a string. */
function parseHeaderReply(text: string): Seen | undefined {
  if (text === '' || text === 'x') return undefined;
  if (text === 'l') return { version: 0, live: true };
  return { version: Number(text.slice(1)), live: text[0] === 's' };
}

/** What a union scan needs. */
export interface UnionScanSettings {
  readonly replicas: readonly Replica[];
  /** The store's prefix, stripped from the keys found. */
  readonly prefix: string;
  /** The SCAN pattern: the prefix glob-escaped, then `*`. */
  readonly pattern: string;
  readonly count: number;
  /** Servers that must complete their scan: N − writeQuorum + 1, so every acknowledged write is seen. */
  readonly need: number;
}

/**
 * The ids of this prefix over the union of the servers: each server is SCANned with the
 * glob-escaped prefix (never KEYS), and for every page a script reports each key's version
 * and kind without sending the sessions back. An id is listed when the newest version seen
 * for it on any server is a session, not a tombstone. Fewer than `need` complete scans is
 * `ERR_BACKEND_UNAVAILABLE`: a missing server could hold the only copies of some sessions.
 */
export async function* scanUnion(settings: UnionScanSettings): AsyncGenerator<string[]> {
  const { replicas, prefix, pattern, count, need } = settings;
  const newest = new Map<string, Seen>();
  const merge = (key: string, seen: Seen | undefined): void => {
    if (!seen || !key.startsWith(prefix)) return;
    const known = newest.get(key);
    if (!known || seen.version > known.version) newest.set(key, seen);
  };
  const failures: ReplicaFailure[] = [];
  await Promise.all(
    replicas.map(async (replica) => {
      try {
        for await (const keys of replica.scan(pattern, count)) {
          const reply = await replica.script(READ_HEADERS, keys, []);
          if (!Array.isArray(reply) || reply.length !== keys.length) {
            throw new TypeError(`unexpected reply to the header script: ${String(reply)}`);
          }
          for (const [index, key] of keys.entries()) merge(key, parseHeaderReply(replyText(reply[index])));
        }
      } catch (error) {
        failures.push({ replica, error });
      }
    }),
  );
  if (replicas.length - failures.length < need) {
    throw notEnoughServers(
      `only ${replicas.length - failures.length} of ${replicas.length} servers could be scanned, ${need} needed`,
      failures,
    );
  }
  const ids: string[] = [];
  for (const [key, seen] of newest) if (seen.live) ids.push(key.slice(prefix.length));
  for (let start = 0; start < ids.length; start += BATCH_SIZE) yield ids.slice(start, start + BATCH_SIZE);
}
