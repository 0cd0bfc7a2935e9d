import { BATCH_SIZE } from '@session-stores/core';
import { replyText } from '@session-stores/redis-store/connection';
import { notEnoughServers, type ReplicaFailure } from './quorum';
import type { Replica } from './replica';
import { READ_HEADERS } from './scripts';

/** What one server holds under a key, by its header: `s<version>`, `d<version>` (tombstone) or `l` (legacy). */
type HeaderReply = string;

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
 * SCANs every server with `pattern` and runs READ_HEADERS on each page, handing each
 * key's header (`'s123'`, `'d123'`, `'l'`; `''` gone, `'x'` another type) to `seen`.
 * Resolves with the servers whose scan failed.
 */
async function scanHeaders(
  settings: UnionScanSettings,
  seen: (key: string, header: HeaderReply) => void,
): Promise<ReplicaFailure[]> {
  const { replicas, prefix, pattern, count } = settings;
  const failures: ReplicaFailure[] = [];
  await Promise.all(
    replicas.map(async (replica) => {
      try {
        for await (const keys of replica.scan(pattern, count)) {
          const reply = await replica.script(READ_HEADERS, keys, []);
          if (!Array.isArray(reply) || reply.length !== keys.length) {
            throw new TypeError(`unexpected reply to the header script: ${String(reply)}`);
          }
          for (const [index, key] of keys.entries()) {
            if (key.startsWith(prefix)) seen(key, replyText(reply[index]));
          }
        }
      } catch (error) {
        failures.push({ replica, error });
      }
    }),
  );
  return failures;
}

function checkEnough(settings: UnionScanSettings, failures: readonly ReplicaFailure[]): void {
  const { replicas, need } = settings;
  if (replicas.length - failures.length < need) {
    throw notEnoughServers(
      `only ${replicas.length - failures.length} of ${replicas.length} servers could be scanned, ${need} needed`,
      failures,
    );
  }
}

/**
 * The ids of this prefix over the union of the servers: each server is SCANned with the
 * glob-escaped prefix (never KEYS), and for every page a script reports each key's version
 * and kind without sending the sessions back. An id is listed when the newest version seen
 * for it on any server is a session, not a tombstone. Fewer than `need` complete scans is
 * `ERR_BACKEND_UNAVAILABLE`: a missing server could hold the only copies of some sessions.
 */
export async function* scanUnion(settings: UnionScanSettings): AsyncGenerator<string[]> {
  const newest = new Map<string, Seen>();
  const failures = await scanHeaders(settings, (key, header) => {
    const seen = parseHeaderReply(header);
    if (!seen) return;
    const known = newest.get(key);
    if (!known || seen.version > known.version) newest.set(key, seen);
  });
  checkEnough(settings, failures);
  const { prefix } = settings;
  const ids: string[] = [];
  for (const [key, seen] of newest) if (seen.live) ids.push(key.slice(prefix.length));
  for (let start = 0; start < ids.length; start += BATCH_SIZE) yield ids.slice(start, start + BATCH_SIZE);
}

/** What a divergence scan needs besides a union scan's settings. */
export interface DivergenceScanSettings extends UnionScanSettings {
  /** Servers whose scan must complete (the ones being resynced). */
  readonly required: readonly Replica[];
}

/** One key's headers across the servers, as far as they agree. */
interface Tally {
  /** The header of the first server that reported the key. */
  header: HeaderReply;
  /** Servers that reported it. */
  holders: number;
  /** Some server reported another header. */
  differs: boolean;
}

/**
 * The keys of this prefix (not the ids) whose copies may differ between the servers:
 * missing on some server, or held at different versions (tombstones included). Keys on
 * which every server agrees are left out: a resync has nothing to do there. Fails like
 * {@link scanUnion}, and also when a `required` server could not be scanned.
 */
export async function* scanDivergent(settings: DivergenceScanSettings): AsyncGenerator<string[]> {
  const tallies = new Map<string, Tally>();
  const failures = await scanHeaders(settings, (key, header) => {
    // A key of another Redis type is left alone, like a missing one.
    if (header === '' || header === 'x') return;
    const tally = tallies.get(key);
    if (!tally) {
      tallies.set(key, { header, holders: 1, differs: false });
      return;
    }
    tally.holders++;
    if (header !== tally.header) tally.differs = true;
  });
  const requiredFailure = failures.find(({ replica }) => settings.required.includes(replica));
  if (requiredFailure) {
    throw notEnoughServers(`clients[${requiredFailure.replica.index}] could not be scanned`, [
      requiredFailure,
    ]);
  }
  checkEnough(settings, failures);
  // A server that failed its scan may lack a key it was not seen to lack: counted as missing it.
  const servers = settings.replicas.length;
  let batch: string[] = [];
  for (const [key, tally] of tallies) {
    if (!tally.differs && tally.holders === servers) continue;
    batch.push(key);
    if (batch.length === BATCH_SIZE) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
