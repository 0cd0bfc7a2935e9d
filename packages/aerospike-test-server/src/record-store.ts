/**
 * In-memory data: namespaces (with their runtime config), sets, records,
 * expiry (void-time) and truncation. Records are found by digest only, as
 * on the real server; the set name and user key are stored alongside.
 */
import { nowClepochMs, nowClepochSeconds } from './clock';
import { type DecodedValue, decodeParticle, type Particle } from './particles';
import { partitionIdOf } from './partition-map';
import type { SecondaryIndexDef } from './sindex';

/** Runtime configuration of one namespace (the subset this server honours). */
export interface NamespaceConfig {
  /** Seconds between expiry sweeps; 0 turns expiry sweeps off. */
  nsupPeriod: number;
  /** TTL in seconds applied when a write asks for the default (0 = never expire). */
  defaultTtl: number;
  /** Allows TTL writes while nsup-period is 0 (otherwise they fail with rc 22). */
  allowTtlWithoutNsup: boolean;
  /** Largest stored record size in bytes (rc 13 above it). */
  maxRecordSize: number;
}

/** Defaults matching the reference server's namespaces. */
export const DEFAULT_NAMESPACE_CONFIG: Readonly<NamespaceConfig> = {
  nsupPeriod: 1,
  defaultTtl: 0,
  allowTtlWithoutNsup: false,
  maxRecordSize: 1024 * 1024,
};

/** One stored record. */
export interface StoredRecord {
  digest: Buffer;
  /** '' for records outside any set. */
  setName: string;
  /** The KEY field as sent (particle type byte + value), when the client sent the key. */
  key: Buffer | undefined;
  bins: Map<string, Particle>;
  generation: number;
  /** Expiry in citrusleaf-epoch seconds; 0 = never. */
  voidTime: number;
  /** Last update in citrusleaf-epoch milliseconds (truncate compares against it). */
  lastUpdateMs: number;
}

/** Per-set bookkeeping. A set, once seen, stays listed (as on the real server). */
export interface SetState {
  /** Last truncate time in citrusleaf-epoch ms, 0 if never truncated. */
  truncateLutMs: number;
}

/** A record as returned by the inspection API. */
export interface InspectedRecord {
  namespace: string;
  set: string;
  /** Hex RIPEMD-160 digest. */
  digest: string;
  /** The stored user key, when it was sent with key policy SEND. */
  key: DecodedValue | undefined;
  bins: Record<string, DecodedValue>;
  generation: number;
  /** Void-time (citrusleaf-epoch seconds), 0 = never expires. */
  voidTime: number;
  /** Remaining seconds to live, -1 when the record never expires. */
  ttl: number;
}

/** Whether a record is past its void-time at `nowSec` (citrusleaf seconds). */
export function isExpired(rec: StoredRecord, nowSec: number): boolean {
  // The server treats a record as expired once its void-time is in the past.
  return rec.voidTime !== 0 && rec.voidTime < nowSec;
}

/** One namespace: config, sets, records, secondary indexes. */
export class Namespace {
  readonly records = new Map<string, StoredRecord>();
  readonly sets = new Map<string, SetState>();
  readonly sindexes = new Map<string, SecondaryIndexDef>();
  /** Truncate-namespace time (citrusleaf ms), 0 if never. */
  truncateLutMs = 0;
  /**
   * The last accepted truncate cutoff per target ('' = the whole namespace, else a set
   * name), as the server's system metadata keeps it: a later truncate is accepted only
   * if its cutoff is greater, even when the set did not exist at the time.
   */
  readonly truncateCutoffs = new Map<string, number>();
  /** When the last expiry sweep ran (Date.now() ms). */
  lastNsupMs = Date.now();

  constructor(
    readonly name: string,
    readonly config: NamespaceConfig,
  ) {}

  /** Registers a set name so it shows in `sets` and scans of it succeed. */
  touchSet(setName: string): SetState | undefined {
    if (setName === '') return undefined;
    let s = this.sets.get(setName);
    if (s === undefined) {
      s = { truncateLutMs: 0 };
      this.sets.set(setName, s);
    }
    return s;
  }

  /** The live record for a digest; an expired one is removed and reported missing. */
  getLive(digest: Buffer, nowSec: number = nowClepochSeconds()): StoredRecord | undefined {
    const id = digest.toString('hex');
    const rec = this.records.get(id);
    if (rec === undefined) return undefined;
    if (isExpired(rec, nowSec)) {
      this.records.delete(id);
      return undefined;
    }
    return rec;
  }

  /** Stores (or replaces) a record. */
  put(rec: StoredRecord): void {
    this.records.set(rec.digest.toString('hex'), rec);
    this.touchSet(rec.setName);
  }

  /** Removes a record; returns whether it existed. */
  delete(digest: Buffer): boolean {
    return this.records.delete(digest.toString('hex'));
  }

  /** Live records of a set ('' or undefined = every set), sorted by partition then digest. */
  liveRecords(setName: string | undefined, nowSec: number = nowClepochSeconds()): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const rec of this.records.values()) {
      if (isExpired(rec, nowSec)) continue;
      if (setName !== undefined && setName !== '' && rec.setName !== setName) continue;
      out.push(rec);
    }
    out.sort(
      (a, b) => partitionIdOf(a.digest) - partitionIdOf(b.digest) || Buffer.compare(a.digest, b.digest),
    );
    return out;
  }

  /**
   * Removes records of a set (or of the namespace) last updated strictly before
   * `beforeMs`, with the real server's rules (`as/src/base/truncate.c`):
   * - a record updated in the cutoff's millisecond (or later) stays;
   * - a cutoff not greater than the last accepted one for the same target is ignored
   *   (two truncates in one millisecond: the second does nothing, and still answers ok);
   * - a truncate of a set that holds no record yet is recorded but removes nothing.
   * Returns whether the truncate was applied.
   */
  truncate(setName: string | undefined, beforeMs: number): boolean {
    const target = setName ?? '';
    if (beforeMs <= (this.truncateCutoffs.get(target) ?? 0)) return false;
    this.truncateCutoffs.set(target, beforeMs);
    const state = setName === undefined ? undefined : this.sets.get(setName);
    if (setName !== undefined && state === undefined) return false;
    for (const [id, rec] of this.records) {
      if (setName !== undefined && rec.setName !== setName) continue;
      if (rec.lastUpdateMs < beforeMs) this.records.delete(id);
    }
    if (state === undefined) this.truncateLutMs = beforeMs;
    else state.truncateLutMs = beforeMs;
    return true;
  }

  /** Expiry sweep: deletes every expired record. */
  purgeExpired(nowSec: number = nowClepochSeconds()): number {
    let n = 0;
    for (const [id, rec] of this.records) {
      if (isExpired(rec, nowSec)) {
        this.records.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Object count and approximate data bytes of a set. */
  setStats(setName: string): { objects: number; bytes: number } {
    let objects = 0;
    let bytes = 0;
    for (const rec of this.records.values()) {
      if (rec.setName !== setName) continue;
      objects++;
      bytes += storedRecordSize(rec);
    }
    return { objects, bytes };
  }
}

/** All namespaces of one server instance. */
export class RecordStore {
  readonly namespaces = new Map<string, Namespace>();

  constructor(config: Record<string, Partial<NamespaceConfig>>) {
    for (const [name, c] of Object.entries(config)) {
      this.namespaces.set(name, new Namespace(name, { ...DEFAULT_NAMESPACE_CONFIG, ...c }));
    }
  }

  /** A namespace by name. */
  get(name: string): Namespace | undefined {
    return this.namespaces.get(name);
  }

  /**
   * Runs the expiry sweep of every namespace whose nsup-period has elapsed.
   * Called once a second by the server; namespaces with nsup-period 0 keep
   * their expired records (reads still hide them, as on the real server).
   */
  runNsup(nowMs: number = Date.now()): void {
    for (const ns of this.namespaces.values()) {
      const period = ns.config.nsupPeriod;
      if (period <= 0) continue;
      if (nowMs - ns.lastNsupMs < period * 1000) continue;
      ns.lastNsupMs = nowMs;
      ns.purgeExpired(nowClepochSeconds(nowMs));
    }
  }

  /** Inspection view of live records. */
  inspect(namespace: string, set?: string): InspectedRecord[] {
    const ns = this.namespaces.get(namespace);
    if (ns === undefined) return [];
    const nowSec = nowClepochSeconds();
    return ns.liveRecords(set, nowSec).map((rec) => {
      const bins: Record<string, DecodedValue> = {};
      for (const [name, p] of rec.bins) bins[name] = decodeParticle(p);
      const keyType = rec.key?.[0];
      return {
        namespace,
        set: rec.setName,
        digest: rec.digest.toString('hex'),
        key:
          rec.key !== undefined && keyType !== undefined
            ? decodeParticle({ type: keyType, value: rec.key.subarray(1) })
            : undefined,
        bins,
        generation: rec.generation,
        voidTime: rec.voidTime,
        ttl: rec.voidTime === 0 ? -1 : Math.max(0, rec.voidTime - nowSec),
      };
    });
  }
}

/** Bytes needed to write `n` as an unsigned LEB128 varint. */
function uvarintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/**
 * Approximate size of a record in the server's flat storage format, which
 * is what max-record-size limits: a fixed header with the digest, optional
 * void-time, set id and key, then each bin (name, particle type, length,
 * data), padded to 16-byte blocks. Exact for nothing, close for everything;
 * it only matters near the 1 MiB limit.
 */
export function storedRecordSize(rec: Pick<StoredRecord, 'bins' | 'key' | 'voidTime' | 'setName'>): number {
  let size = 32; // magic/n_rblocks/generation/last-update + 20-byte digest
  if (rec.voidTime !== 0) size += 4;
  if (rec.setName !== '') size += 2;
  if (rec.key !== undefined) size += uvarintSize(rec.key.length) + rec.key.length;
  size += uvarintSize(rec.bins.size);
  for (const [name, p] of rec.bins) {
    size += 1 + Buffer.byteLength(name) + 1 + p.value.length;
    if (p.value.length > 8) size += uvarintSize(p.value.length);
  }
  size += 4; // end mark
  return Math.ceil(size / 16) * 16;
}

/** Last-update timestamp for a write happening now. */
export function writeTimestampMs(previousMs = 0): number {
  // The server never lets a record's last-update-time go backwards.
  return Math.max(nowClepochMs(), previousMs);
}
