/**
 * Codec for as_msg units: the 22-byte header, then fields, then ops.
 * A type-3 proto body holds one unit (requests) or several back to back
 * (scan, query and batch replies).
 */

/** Size of the as_msg header. */
export const AS_MSG_HEADER_SIZE = 22;

/** Decoded as_msg header (everything but header_sz and the counts). */
export interface AsMsgHeader {
  info1: number;
  info2: number;
  info3: number;
  info4: number;
  resultCode: number;
  /** Request: expected generation. Reply: record generation (or partition id). */
  generation: number;
  /** Request: relative TTL. Reply: void-time. */
  recordTtl: number;
  /** Request: server timeout ms. Batch reply: the row index. */
  transactionTtl: number;
}

/** One field: a type byte and its raw data. */
export interface AsField {
  type: number;
  data: Buffer;
}

/** One op: operation, particle type, bin name and raw value bytes. */
export interface AsOp {
  op: number;
  particleType: number;
  /** Op flags byte (unused here, echoed as 0 in replies). */
  flags: number;
  name: string;
  value: Buffer;
}

/** A whole as_msg unit. */
export interface AsMsg {
  header: AsMsgHeader;
  fields: AsField[];
  ops: AsOp[];
}

/** Thrown for a unit whose sizes do not add up. */
export class AsMsgParseError extends Error {
  override name = 'AsMsgParseError';
}

/** A header with every value zero, to be filled in. */
export function emptyHeader(): AsMsgHeader {
  return {
    info1: 0,
    info2: 0,
    info3: 0,
    info4: 0,
    resultCode: 0,
    generation: 0,
    recordTtl: 0,
    transactionTtl: 0,
  };
}

/**
 * Parses one as_msg unit starting at `offset` of `buf`. Every length is
 * checked against the buffer, so hostile input raises AsMsgParseError
 * instead of reading out of bounds.
 */
export function parseAsMsg(buf: Buffer, offset = 0): { msg: AsMsg; end: number } {
  if (buf.length - offset < AS_MSG_HEADER_SIZE) throw new AsMsgParseError('as_msg shorter than its header');
  const headerSz = buf.readUInt8(offset);
  if (headerSz !== AS_MSG_HEADER_SIZE) throw new AsMsgParseError(`bad header_sz ${headerSz}`);
  const header: AsMsgHeader = {
    info1: buf.readUInt8(offset + 1),
    info2: buf.readUInt8(offset + 2),
    info3: buf.readUInt8(offset + 3),
    info4: buf.readUInt8(offset + 4),
    resultCode: buf.readUInt8(offset + 5),
    generation: buf.readUInt32BE(offset + 6),
    recordTtl: buf.readUInt32BE(offset + 10),
    transactionTtl: buf.readUInt32BE(offset + 14),
  };
  const nFields = buf.readUInt16BE(offset + 18);
  const nOps = buf.readUInt16BE(offset + 20);
  let p = offset + AS_MSG_HEADER_SIZE;
  const fields: AsField[] = [];
  for (let i = 0; i < nFields; i++) {
    if (buf.length - p < 5) throw new AsMsgParseError('truncated field header');
    const size = buf.readUInt32BE(p);
    if (size < 1 || size > buf.length - p - 4) throw new AsMsgParseError(`bad field size ${size}`);
    fields.push({ type: buf.readUInt8(p + 4), data: buf.subarray(p + 5, p + 4 + size) });
    p += 4 + size;
  }
  const ops: AsOp[] = [];
  for (let i = 0; i < nOps; i++) {
    if (buf.length - p < 8) throw new AsMsgParseError('truncated op header');
    const size = buf.readUInt32BE(p);
    if (size < 4 || size > buf.length - p - 4) throw new AsMsgParseError(`bad op size ${size}`);
    const nameLen = buf.readUInt8(p + 7);
    if (nameLen > size - 4) throw new AsMsgParseError(`bad op name length ${nameLen}`);
    ops.push({
      op: buf.readUInt8(p + 4),
      particleType: buf.readUInt8(p + 5),
      flags: buf.readUInt8(p + 6),
      name: buf.toString('utf8', p + 8, p + 8 + nameLen),
      value: buf.subarray(p + 8 + nameLen, p + 4 + size),
    });
    p += 4 + size;
  }
  return { msg: { header, fields, ops }, end: p };
}

/** Encodes one as_msg unit (no proto header). */
export function encodeAsMsg(msg: AsMsg): Buffer {
  let size = AS_MSG_HEADER_SIZE;
  for (const f of msg.fields) size += 5 + f.data.length;
  const names = msg.ops.map((o) => Buffer.from(o.name, 'utf8'));
  msg.ops.forEach((o, i) => {
    size += 8 + (names[i]?.length ?? 0) + o.value.length;
  });
  const out = Buffer.alloc(size);
  const h = msg.header;
  out.writeUInt8(AS_MSG_HEADER_SIZE, 0);
  out.writeUInt8(h.info1 & 0xff, 1);
  out.writeUInt8(h.info2 & 0xff, 2);
  out.writeUInt8(h.info3 & 0xff, 3);
  out.writeUInt8(h.info4 & 0xff, 4);
  out.writeUInt8(h.resultCode & 0xff, 5);
  out.writeUInt32BE(h.generation >>> 0, 6);
  out.writeUInt32BE(h.recordTtl >>> 0, 10);
  out.writeUInt32BE(h.transactionTtl >>> 0, 14);
  out.writeUInt16BE(msg.fields.length, 18);
  out.writeUInt16BE(msg.ops.length, 20);
  let p = AS_MSG_HEADER_SIZE;
  for (const f of msg.fields) {
    out.writeUInt32BE(f.data.length + 1, p);
    out.writeUInt8(f.type, p + 4);
    f.data.copy(out, p + 5);
    p += 5 + f.data.length;
  }
  msg.ops.forEach((o, i) => {
    const name = names[i] ?? Buffer.alloc(0);
    out.writeUInt32BE(4 + name.length + o.value.length, p);
    out.writeUInt8(o.op, p + 4);
    out.writeUInt8(o.particleType, p + 5);
    out.writeUInt8(o.flags, p + 6);
    out.writeUInt8(name.length, p + 7);
    name.copy(out, p + 8);
    o.value.copy(out, p + 8 + name.length);
    p += 8 + name.length + o.value.length;
  });
  return out;
}

/** The first field of a type, if any. */
export function findField(msg: AsMsg, type: number): AsField | undefined {
  return msg.fields.find((f) => f.type === type);
}

/** A 22-byte reply unit carrying only a result code and header values. */
export function headerOnlyReply(resultCode: number, generation = 0, voidTime = 0, info3 = 0): AsMsg {
  return {
    header: { ...emptyHeader(), info3, resultCode, generation, recordTtl: voidTime },
    fields: [],
    ops: [],
  };
}
