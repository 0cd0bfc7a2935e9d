/**
 * Secondary-index metadata and the two filters a client can send with a
 * query (INDEX_RANGE): integer range and string equality. Only indexes on
 * plain bins (no list/map context) are supported. Records are matched by
 * scanning, which is fine at test sizes.
 */
import { type Particle, ParticleType } from './particles';

/** A secondary index definition, as given to `sindex-create`. */
export interface SecondaryIndexDef {
  name: string;
  namespace: string;
  /** Empty when the index covers the whole namespace. */
  set: string;
  bin: string;
  /** `numeric` or `string` (the `type=` argument, lower-cased). */
  type: 'numeric' | 'string';
}

/** A decoded INDEX_RANGE field. */
export type IndexFilter =
  | { kind: 'range'; bin: string; begin: bigint; end: bigint }
  | { kind: 'equal'; bin: string; value: Buffer };

/** Parses an INDEX_RANGE field; undefined when malformed or of an unsupported shape. */
export function parseIndexRange(data: Buffer): IndexFilter | undefined {
  try {
    let p = 0;
    const nRanges = data.readUInt8(p++);
    if (nRanges !== 1) return undefined;
    const binLen = data.readUInt8(p++);
    const bin = data.toString('utf8', p, p + binLen);
    p += binLen;
    const type = data.readUInt8(p++);
    const beginLen = data.readUInt32BE(p);
    p += 4;
    const begin = data.subarray(p, p + beginLen);
    p += beginLen;
    const endLen = data.readUInt32BE(p);
    p += 4;
    const end = data.subarray(p, p + endLen);
    if (begin.length !== beginLen || end.length !== endLen) return undefined;
    if (type === ParticleType.INTEGER && beginLen === 8 && endLen === 8) {
      return { kind: 'range', bin, begin: begin.readBigInt64BE(0), end: end.readBigInt64BE(0) };
    }
    if (type === ParticleType.STRING) return { kind: 'equal', bin, value: Buffer.from(begin) };
    return undefined;
  } catch {
    return undefined;
  }
}

/** The index type a filter needs. */
export function filterIndexType(f: IndexFilter): SecondaryIndexDef['type'] {
  return f.kind === 'range' ? 'numeric' : 'string';
}

/** Whether a bin value passes the filter. */
export function matchesFilter(f: IndexFilter, bin: Particle | undefined): boolean {
  if (bin === undefined) return false;
  if (f.kind === 'range') {
    if (bin.type !== ParticleType.INTEGER || bin.value.length !== 8) return false;
    const v = bin.value.readBigInt64BE(0);
    return v >= f.begin && v <= f.end;
  }
  return bin.type === ParticleType.STRING && bin.value.equals(f.value);
}
