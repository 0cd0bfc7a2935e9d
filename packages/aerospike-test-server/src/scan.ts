/**
 * Scans and queries. The client sends both as the same partition request
 * (PID_ARRAY of the partitions to read, DIGEST_ARRAY of resume points);
 * a query may add a secondary-index filter (INDEX_RANGE). Records stream
 * back as units with NAMESPACE, DIGEST, SET and KEY fields, packed several
 * to a proto message, and a LAST unit ends the stream.
 */
import { type AsField, type AsMsg, type AsOp, emptyHeader, headerOnlyReply } from './as-msg';
import { nowClepochSeconds } from './clock';
import { ParticleType } from './particles';
import { partitionIdOf } from './partition-map';
import { FieldType, Info1, Info2, N_PARTITIONS, OpType, ResultCode } from './protocol';
import type { Namespace, RecordStore, StoredRecord } from './record-store';
import { ReplyPacker, singleUnitReply } from './reply-packer';
import { filterIndexType, type IndexFilter, matchesFilter, parseIndexRange } from './sindex';

/** A decoded scan/query request. */
interface ScanRequest {
  ns: Namespace;
  setName: string | undefined;
  /** Partitions to read from the start. */
  partitions: Set<number>;
  /** Partitions to resume after a digest. */
  resume: Map<number, Buffer>;
  maxRecords: number;
  noBins: boolean;
  /** Bins to return; undefined = all. */
  binNames: string[] | undefined;
  filter: IndexFilter | undefined;
}

/** Fields a scan may carry that this server cannot honour. */
const UNSUPPORTED_SCAN_FIELDS = new Set<number>([
  FieldType.PREDEXP,
  FieldType.UDF_FILENAME,
  FieldType.UDF_FUNCTION,
  FieldType.UDF_ARGLIST,
  FieldType.UDF_OP,
  FieldType.INDEX_CONTEXT,
  FieldType.INDEX_EXPRESSION,
]);

function parseScan(store: RecordStore, msg: AsMsg): ScanRequest | number {
  let nsName: string | undefined;
  let setName: string | undefined;
  let pidField: AsField | undefined;
  let digestField: AsField | undefined;
  let maxRecords = 0;
  let binNames: string[] | undefined;
  let filter: IndexFilter | undefined;
  let indexName: string | undefined;
  for (const f of msg.fields) {
    if (UNSUPPORTED_SCAN_FIELDS.has(f.type)) return ResultCode.UNSUPPORTED_FEATURE;
    switch (f.type) {
      case FieldType.NAMESPACE:
        nsName = f.data.toString('utf8');
        break;
      case FieldType.SET:
        setName = f.data.toString('utf8');
        break;
      case FieldType.PID_ARRAY:
        if (f.data.length % 2 !== 0) return ResultCode.PARAMETER;
        pidField = f;
        break;
      case FieldType.DIGEST_ARRAY:
        if (f.data.length % 20 !== 0) return ResultCode.PARAMETER;
        digestField = f;
        break;
      case FieldType.SAMPLE_MAX:
        if (f.data.length !== 8) return ResultCode.PARAMETER;
        maxRecords = Number(f.data.readBigUInt64BE(0));
        break;
      case FieldType.QUERY_BINLIST: {
        // legacy bin selection: u8 count, then (u8 length, name) per bin
        binNames = [];
        let p = 1;
        const n = f.data[0] ?? 0;
        for (let i = 0; i < n; i++) {
          const len = f.data[p] ?? 0;
          binNames.push(f.data.toString('utf8', p + 1, p + 1 + len));
          p += 1 + len;
        }
        break;
      }
      case FieldType.INDEX_RANGE:
        filter = parseIndexRange(f.data);
        if (filter === undefined) return ResultCode.PARAMETER;
        break;
      case FieldType.INDEX_NAME:
        indexName = f.data.toString('utf8');
        break;
      case FieldType.INDEX_TYPE:
        if ((f.data[0] ?? 0) !== 0) return ResultCode.UNSUPPORTED_FEATURE;
        break;
      default:
        break;
    }
  }
  if (nsName === undefined) return ResultCode.NAMESPACE;
  const ns = store.get(nsName);
  if (ns === undefined) return ResultCode.NAMESPACE;
  // Background scans/queries (ops that write) are not implemented.
  if (msg.header.info2 & Info2.WRITE) return ResultCode.UNSUPPORTED_FEATURE;
  for (const op of msg.ops) {
    if (op.op !== OpType.READ) return ResultCode.UNSUPPORTED_FEATURE;
    binNames ??= [];
    binNames.push(op.name);
  }
  if (setName === '') setName = undefined;
  // A set that was never written to is unknown to the server: the scan ends with NOT_FOUND.
  if (setName !== undefined && !ns.sets.has(setName)) return ResultCode.NOT_FOUND;
  if (filter !== undefined) {
    const want = filterIndexType(filter);
    const f = filter;
    const index = [...ns.sindexes.values()].find(
      (ix) =>
        (indexName === undefined || ix.name === indexName) &&
        ix.bin === f.bin &&
        ix.type === want &&
        (ix.set === '' || ix.set === setName),
    );
    if (index === undefined) return ResultCode.SINDEX_NOT_FOUND;
  }
  const partitions = new Set<number>();
  const resume = new Map<number, Buffer>();
  if (pidField !== undefined) {
    for (let i = 0; i < pidField.data.length; i += 2) {
      const pid = pidField.data.readUInt16LE(i);
      if (pid >= N_PARTITIONS) return ResultCode.PARAMETER;
      partitions.add(pid);
    }
  }
  if (digestField !== undefined) {
    for (let i = 0; i < digestField.data.length; i += 20) {
      const d = digestField.data.subarray(i, i + 20);
      resume.set(partitionIdOf(d), d);
    }
  }
  if (pidField === undefined && digestField === undefined) {
    for (let pid = 0; pid < N_PARTITIONS; pid++) partitions.add(pid);
  }
  return {
    ns,
    setName,
    partitions,
    resume,
    maxRecords,
    noBins: (msg.header.info1 & Info1.GET_NO_BINS) !== 0,
    binNames,
    filter,
  };
}

function selected(req: ScanRequest, rec: StoredRecord): boolean {
  const pid = partitionIdOf(rec.digest);
  if (!req.partitions.has(pid)) {
    const after = req.resume.get(pid);
    if (after === undefined || Buffer.compare(rec.digest, after) <= 0) return false;
  }
  return req.filter === undefined || matchesFilter(req.filter, rec.bins.get(req.filter.bin));
}

function recordUnit(req: ScanRequest, rec: StoredRecord): AsMsg {
  const fields: AsField[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(req.ns.name, 'utf8') },
    { type: FieldType.DIGEST_RIPE, data: rec.digest },
  ];
  if (rec.setName !== '') fields.push({ type: FieldType.SET, data: Buffer.from(rec.setName, 'utf8') });
  if (rec.key !== undefined) fields.push({ type: FieldType.KEY, data: rec.key });
  if (req.filter?.kind === 'range') {
    // Numeric index queries carry the matched index value (u64 little-endian).
    const bval = Buffer.alloc(8);
    bval.writeBigInt64LE(rec.bins.get(req.filter.bin)?.value.readBigInt64BE(0) ?? 0n);
    fields.push({ type: FieldType.BVAL_ARRAY, data: bval });
  }
  const ops: AsOp[] = [];
  if (!req.noBins) {
    const names = req.binNames ?? [...rec.bins.keys()];
    for (const name of names) {
      const p = rec.bins.get(name);
      if (p === undefined) continue;
      ops.push({
        op: OpType.READ,
        particleType: p.type ?? ParticleType.NULL,
        flags: 0,
        name,
        value: p.value,
      });
    }
  }
  return {
    header: { ...emptyHeader(), generation: rec.generation, recordTtl: rec.voidTime },
    fields,
    ops,
  };
}

/** Runs a scan or query and returns the proto messages of its reply. */
export function executeScan(store: RecordStore, msg: AsMsg): Buffer[] {
  const req = parseScan(store, msg);
  if (typeof req === 'number') return [singleUnitReply(headerOnlyReply(req))];
  const packer = new ReplyPacker();
  let sent = 0;
  for (const rec of req.ns.liveRecords(req.setName, nowClepochSeconds())) {
    if (req.maxRecords > 0 && sent >= req.maxRecords) break;
    if (!selected(req, rec)) continue;
    packer.add(recordUnit(req, rec));
    sent++;
  }
  return packer.finish();
}
