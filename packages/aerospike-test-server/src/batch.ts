/**
 * Batch requests (field 41 BATCH): one as_msg carrying many rows, each with
 * its own digest and, unless it repeats the previous row, its own flags,
 * fields and ops. Every row is run as a single-record transaction and
 * answered with a unit whose transaction_ttl holds the row's index; a LAST
 * unit ends the reply.
 */
import { type AsField, type AsMsg, type AsOp, headerOnlyReply } from './as-msg';
import { nowClepochSeconds } from './clock';
import { BatchRowFlag, FieldType } from './protocol';
import { executeRecordRequest, prepareRecordRequest, type RecordRequestFlags } from './record-ops';
import type { RecordStore } from './record-store';
import { ReplyPacker } from './reply-packer';

/** One decoded batch row. */
export interface BatchRow {
  index: number;
  digest: Buffer;
  flags: RecordRequestFlags;
  fields: AsField[];
  ops: AsOp[];
}

/** Thrown when the BATCH field is malformed. */
export class BatchParseError extends Error {
  override name = 'BatchParseError';
}

/** Decodes the BATCH field. */
export function parseBatchField(data: Buffer): BatchRow[] {
  let p = 0;
  const need = (n: number): void => {
    if (data.length - p < n) throw new BatchParseError('truncated batch field');
  };
  need(5);
  const count = data.readUInt32BE(p);
  p += 5; // count + parent flags
  const rows: BatchRow[] = [];
  let prev: BatchRow | undefined;
  for (let i = 0; i < count; i++) {
    need(25);
    const index = data.readUInt32BE(p);
    const digest = data.subarray(p + 4, p + 24);
    const rowFlags = data.readUInt8(p + 24);
    p += 25;
    if (rowFlags & BatchRowFlag.REPEAT) {
      if (prev === undefined) throw new BatchParseError('first batch row cannot repeat');
      prev = { ...prev, index, digest };
      rows.push(prev);
      continue;
    }
    const flags: RecordRequestFlags = { info1: 0, info2: 0, info3: 0, info4: 0, generation: 0, recordTtl: 0 };
    need(1);
    flags.info1 = data.readUInt8(p++);
    if (rowFlags & BatchRowFlag.INFO2_INFO3) {
      need(2);
      flags.info2 = data.readUInt8(p++);
      flags.info3 = data.readUInt8(p++);
    }
    if (rowFlags & BatchRowFlag.INFO4) {
      need(1);
      flags.info4 = data.readUInt8(p++);
    }
    if (rowFlags & BatchRowFlag.GENERATION) {
      need(2);
      flags.generation = data.readUInt16BE(p);
      p += 2;
    }
    if (rowFlags & BatchRowFlag.RECORD_TTL) {
      need(4);
      flags.recordTtl = data.readUInt32BE(p);
      p += 4;
    }
    need(4);
    const nFields = data.readUInt16BE(p);
    const nOps = data.readUInt16BE(p + 2);
    p += 4;
    const fields: AsField[] = [];
    for (let f = 0; f < nFields; f++) {
      need(5);
      const size = data.readUInt32BE(p);
      if (size < 1) throw new BatchParseError('bad batch field size');
      need(4 + size);
      fields.push({ type: data.readUInt8(p + 4), data: data.subarray(p + 5, p + 4 + size) });
      p += 4 + size;
    }
    const ops: AsOp[] = [];
    for (let o = 0; o < nOps; o++) {
      need(8);
      const size = data.readUInt32BE(p);
      if (size < 4) throw new BatchParseError('bad batch op size');
      need(4 + size);
      const nameLen = data.readUInt8(p + 7);
      if (nameLen > size - 4) throw new BatchParseError('bad batch op name length');
      ops.push({
        op: data.readUInt8(p + 4),
        particleType: data.readUInt8(p + 5),
        flags: data.readUInt8(p + 6),
        name: data.toString('utf8', p + 8, p + 8 + nameLen),
        value: data.subarray(p + 8 + nameLen, p + 4 + size),
      });
      p += 4 + size;
    }
    prev = { index, digest, flags, fields, ops };
    rows.push(prev);
  }
  return rows;
}

/** Runs a batch request and returns the proto messages of its reply. */
export function executeBatch(store: RecordStore, msg: AsMsg): Buffer[] {
  const packer = new ReplyPacker();
  const field = msg.fields.find((f) => f.type === FieldType.BATCH);
  let rows: BatchRow[];
  try {
    if (field === undefined) throw new BatchParseError('no BATCH field');
    rows = parseBatchField(field.data);
  } catch {
    return packer.finish(4);
  }
  const nowSec = nowClepochSeconds();
  for (const row of rows) {
    const req = prepareRecordRequest(store, row.flags, row.fields, row.ops, row.digest);
    const unit = typeof req === 'number' ? headerOnlyReply(req) : executeRecordRequest(req, nowSec);
    unit.header.transactionTtl = row.index;
    packer.add(unit);
  }
  return packer.finish();
}
