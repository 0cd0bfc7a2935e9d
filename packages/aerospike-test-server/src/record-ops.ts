/**
 * Single-record transactions: read, exists, write (put/operate) and delete,
 * with the real server's checks and result codes. Batch rows reuse this.
 */
import { type AsField, type AsMsg, type AsOp, emptyHeader, headerOnlyReply } from './as-msg';
import { nowClepochSeconds } from './clock';
import { computeDigest } from './digest';
import {
  concatParticle,
  incrementParticle,
  isValidKeyType,
  isValidParticle,
  type Particle,
  ParticleType,
} from './particles';
import {
  BIN_NAME_MAX,
  FieldType,
  Info1,
  Info2,
  Info3,
  MAX_ALLOWED_TTL,
  OpType,
  ResultCode,
  SET_NAME_MAX,
  TTL_DONT_UPDATE,
  TTL_NEVER_EXPIRE,
} from './protocol';
import {
  type Namespace,
  type RecordStore,
  type StoredRecord,
  storedRecordSize,
  writeTimestampMs,
} from './record-store';

/** Header values of a record request that drive its behaviour. */
export interface RecordRequestFlags {
  info1: number;
  info2: number;
  info3: number;
  info4: number;
  generation: number;
  recordTtl: number;
}

/** A validated single-record request. */
export interface RecordRequest extends RecordRequestFlags {
  ns: Namespace;
  setName: string;
  digest: Buffer;
  /** KEY field data (particle type + value), if sent. */
  key: Buffer | undefined;
  ops: AsOp[];
}

/** Fields whose features this server does not implement; requests using them get rc 16. */
const UNSUPPORTED_FIELDS = new Set<number>([
  FieldType.PREDEXP,
  FieldType.UDF_FILENAME,
  FieldType.UDF_FUNCTION,
  FieldType.UDF_ARGLIST,
  FieldType.UDF_OP,
  FieldType.MRT_ID,
  FieldType.MRT_DEADLINE,
]);

/**
 * Checks the fields of a record request and resolves namespace, set and
 * digest. Returns a result code when the request must be refused.
 * `digestOverride` is used by batch rows, which carry the digest outside the fields.
 */
export function prepareRecordRequest(
  store: RecordStore,
  flags: RecordRequestFlags,
  fields: readonly AsField[],
  ops: AsOp[],
  digestOverride?: Buffer,
): RecordRequest | number {
  let nsName: string | undefined;
  let setName = '';
  let digest = digestOverride;
  let key: Buffer | undefined;
  for (const f of fields) {
    if (UNSUPPORTED_FIELDS.has(f.type)) return ResultCode.UNSUPPORTED_FEATURE;
    switch (f.type) {
      case FieldType.NAMESPACE:
        nsName = f.data.toString('utf8');
        break;
      case FieldType.SET:
        if (f.data.length > SET_NAME_MAX) return ResultCode.PARAMETER;
        setName = f.data.toString('utf8');
        break;
      case FieldType.DIGEST_RIPE:
        if (f.data.length !== 20) return ResultCode.PARAMETER;
        digest ??= f.data;
        break;
      case FieldType.KEY: {
        const type = f.data[0];
        if (type === undefined || !isValidKeyType(type)) return ResultCode.PARAMETER;
        if (type === ParticleType.INTEGER && f.data.length !== 9) return ResultCode.PARAMETER;
        key = f.data;
        break;
      }
      default:
        break;
    }
  }
  if (nsName === undefined) return ResultCode.NAMESPACE;
  const ns = store.get(nsName);
  if (ns === undefined) return ResultCode.NAMESPACE;
  if (digest === undefined) {
    if (key === undefined) return ResultCode.PARAMETER;
    digest = computeDigest(setName, key);
  }
  return {
    ...flags,
    ns,
    setName,
    digest: Buffer.from(digest),
    key: key === undefined ? undefined : Buffer.from(key),
    ops,
  };
}

/** Executes a prepared request and builds its reply unit. */
export function executeRecordRequest(req: RecordRequest, nowSec: number = nowClepochSeconds()): AsMsg {
  if (req.info2 & Info2.WRITE) {
    if (req.info2 & Info2.DELETE) return executeDelete(req, nowSec);
    return executeWrite(req, nowSec);
  }
  if (req.info1 & Info1.READ) return executeRead(req, nowSec);
  return headerOnlyReply(ResultCode.PARAMETER);
}

function keyMismatch(req: RecordRequest, rec: StoredRecord): boolean {
  return req.key !== undefined && rec.key !== undefined && !req.key.equals(rec.key);
}

function readOp(name: string, p: Particle | undefined): AsOp {
  return {
    op: OpType.READ,
    particleType: p?.type ?? ParticleType.NULL,
    flags: 0,
    name,
    value: p?.value ?? Buffer.alloc(0),
  };
}

function allBinOps(bins: Map<string, Particle>): AsOp[] {
  return [...bins].map(([name, p]) => readOp(name, p));
}

function recordReply(rec: StoredRecord, ops: AsOp[]): AsMsg {
  return {
    header: { ...emptyHeader(), generation: rec.generation, recordTtl: rec.voidTime },
    fields: [],
    ops,
  };
}

function executeRead(req: RecordRequest, nowSec: number): AsMsg {
  const rec = req.ns.getLive(req.digest, nowSec);
  if (rec === undefined) return headerOnlyReply(ResultCode.NOT_FOUND);
  if (keyMismatch(req, rec)) return headerOnlyReply(ResultCode.KEY_MISMATCH);
  if (req.info1 & Info1.GET_NO_BINS) return recordReply(rec, []);
  if (req.info1 & Info1.GET_ALL) return recordReply(rec, allBinOps(rec.bins));
  const ops: AsOp[] = [];
  for (const op of req.ops) {
    if (op.op !== OpType.READ) return headerOnlyReply(ResultCode.UNSUPPORTED_FEATURE);
    const p = rec.bins.get(op.name);
    if (p !== undefined) ops.push(readOp(op.name, p));
  }
  return recordReply(rec, ops);
}

function generationFails(req: RecordRequest, rec: StoredRecord): boolean {
  if (req.info2 & Info2.GENERATION) return req.generation !== rec.generation;
  if (req.info2 & Info2.GENERATION_GT) return req.generation <= rec.generation;
  return false;
}

function executeDelete(req: RecordRequest, nowSec: number): AsMsg {
  // Durable deletes (tombstones) are an Enterprise feature.
  if (req.info2 & Info2.DURABLE_DELETE) return headerOnlyReply(ResultCode.ENTERPRISE_ONLY);
  const rec = req.ns.getLive(req.digest, nowSec);
  if (rec === undefined) return headerOnlyReply(ResultCode.NOT_FOUND);
  if (keyMismatch(req, rec)) return headerOnlyReply(ResultCode.KEY_MISMATCH);
  if (generationFails(req, rec)) return headerOnlyReply(ResultCode.GENERATION);
  req.ns.delete(req.digest);
  return headerOnlyReply(ResultCode.OK);
}

/**
 * TTL checks done before anything else in a write: out-of-range TTLs are a
 * parameter error, and a TTL that would make the record expire is forbidden
 * while the namespace has no expiry sweep (nsup-period 0) unless
 * allow-ttl-without-nsup is set.
 */
function checkWriteTtl(req: RecordRequest): number {
  const ttl = req.recordTtl >>> 0;
  if (ttl > MAX_ALLOWED_TTL && ttl !== TTL_NEVER_EXPIRE && ttl !== TTL_DONT_UPDATE)
    return ResultCode.PARAMETER;
  const cfg = req.ns.config;
  if (cfg.nsupPeriod === 0 && !cfg.allowTtlWithoutNsup) {
    const expires = ttl === 0 ? cfg.defaultTtl !== 0 : ttl !== TTL_NEVER_EXPIRE && ttl !== TTL_DONT_UPDATE;
    if (expires) return ResultCode.FORBIDDEN;
  }
  return ResultCode.OK;
}

function newVoidTime(req: RecordRequest, existing: StoredRecord | undefined, nowSec: number): number {
  const ttl = req.recordTtl >>> 0;
  const def = req.ns.config.defaultTtl;
  if (ttl === TTL_NEVER_EXPIRE) return 0;
  if (ttl === TTL_DONT_UPDATE && existing !== undefined) return existing.voidTime;
  if (ttl === 0 || ttl === TTL_DONT_UPDATE) return def === 0 ? 0 : nowSec + def;
  return nowSec + ttl;
}

function validBinName(name: string): boolean {
  const len = Buffer.byteLength(name, 'utf8');
  return len > 0 && len <= BIN_NAME_MAX;
}

function executeWrite(req: RecordRequest, nowSec: number): AsMsg {
  const ttlRc = checkWriteTtl(req);
  if (ttlRc !== ResultCode.OK) return headerOnlyReply(ttlRc);
  const existing = req.ns.getLive(req.digest, nowSec);
  if (existing !== undefined) {
    if (keyMismatch(req, existing)) return headerOnlyReply(ResultCode.KEY_MISMATCH);
    if (req.info2 & Info2.CREATE_ONLY) return headerOnlyReply(ResultCode.RECORD_EXISTS);
    if (generationFails(req, existing)) return headerOnlyReply(ResultCode.GENERATION);
  } else if (req.info3 & (Info3.UPDATE_ONLY | Info3.REPLACE_ONLY)) {
    return headerOnlyReply(ResultCode.NOT_FOUND);
  }
  const replace = (req.info3 & (Info3.CREATE_OR_REPLACE | Info3.REPLACE_ONLY)) !== 0;
  // Work on a copy so that a failing op leaves the stored record untouched.
  const bins = new Map<string, Particle>(existing !== undefined && !replace ? existing.bins : []);
  const respondAll = (req.info2 & Info2.RESPOND_ALL_OPS) !== 0;
  const replyOps: AsOp[] = [];
  for (const op of req.ops) {
    const operand: Particle = { type: op.particleType, value: op.value };
    switch (op.op) {
      case OpType.READ: {
        if (op.name === '') break;
        const p = bins.get(op.name);
        if (p !== undefined || respondAll) replyOps.push(readOp(op.name, p));
        break;
      }
      case OpType.WRITE: {
        if (!validBinName(op.name)) return headerOnlyReply(ResultCode.BIN_NAME);
        if (op.particleType === ParticleType.NULL) bins.delete(op.name);
        else {
          if (!isValidParticle(operand)) return headerOnlyReply(ResultCode.PARAMETER);
          bins.set(op.name, { type: op.particleType, value: Buffer.from(op.value) });
        }
        if (respondAll) replyOps.push(readOp(op.name, undefined));
        break;
      }
      case OpType.INCR:
      case OpType.APPEND:
      case OpType.PREPEND: {
        if (!validBinName(op.name)) return headerOnlyReply(ResultCode.BIN_NAME);
        if (!isValidParticle(operand)) return headerOnlyReply(ResultCode.PARAMETER);
        const cur = bins.get(op.name);
        const next =
          op.op === OpType.INCR
            ? incrementParticle(cur, operand)
            : concatParticle(cur, operand, op.op === OpType.PREPEND);
        if (next === undefined) return headerOnlyReply(ResultCode.INCOMPATIBLE_TYPE);
        bins.set(op.name, next);
        if (respondAll) replyOps.push(readOp(op.name, undefined));
        break;
      }
      case OpType.TOUCH:
        if (respondAll) replyOps.push(readOp(op.name, undefined));
        break;
      case OpType.DELETE_ALL:
        bins.clear();
        if (respondAll) replyOps.push(readOp(op.name, undefined));
        break;
      default:
        // CDT, bit, HLL and expression ops are not implemented here.
        return headerOnlyReply(ResultCode.UNSUPPORTED_FEATURE);
    }
  }
  if (req.info1 & Info1.GET_ALL) replyOps.splice(0, replyOps.length, ...allBinOps(bins));
  if (bins.size === 0) {
    // Nothing left to store: a touch (or bin removal) of a missing record
    // fails, and a write that empties an existing record deletes it.
    if (existing === undefined) return headerOnlyReply(ResultCode.NOT_FOUND);
    if (req.info2 & Info2.DURABLE_DELETE) return headerOnlyReply(ResultCode.ENTERPRISE_ONLY);
    req.ns.delete(req.digest);
    return { header: emptyHeader(), fields: [], ops: replyOps };
  }
  const rec: StoredRecord = {
    digest: req.digest,
    setName: existing?.setName ?? req.setName,
    key: req.key ?? existing?.key,
    bins,
    generation: existing === undefined ? 1 : existing.generation >= 0xffff ? 1 : existing.generation + 1,
    voidTime: newVoidTime(req, existing, nowSec),
    lastUpdateMs: writeTimestampMs(existing?.lastUpdateMs),
  };
  if (storedRecordSize(rec) > req.ns.config.maxRecordSize) return headerOnlyReply(ResultCode.RECORD_TOO_BIG);
  req.ns.put(rec);
  return recordReply(rec, replyOps);
}
