/**
 * Particle (bin value) types. Values are stored as the exact bytes the
 * client sent and returned unchanged; only the few ops that compute on a
 * value (INCR, APPEND, PREPEND) and test inspection need to interpret them.
 */

/** Particle type numbers. */
export const ParticleType = {
  NULL: 0,
  INTEGER: 1,
  FLOAT: 2,
  STRING: 3,
  BLOB: 4,
  BOOL: 17,
  HLL: 18,
  MAP: 19,
  LIST: 20,
  GEOJSON: 23,
} as const;

/** A stored bin value: particle type and raw value bytes. */
export interface Particle {
  type: number;
  value: Buffer;
}

/** Value of a particle decoded for test inspection. MAP/LIST/HLL stay raw msgpack bytes. */
export type DecodedValue = null | number | bigint | string | boolean | Buffer;

const KNOWN_TYPES = new Set<number>(Object.values(ParticleType));

/**
 * Checks that a value written by a client is well formed for its type.
 * Returns false for unknown types or wrong fixed sizes (the server answers
 * those with a parameter error).
 */
export function isValidParticle(p: Particle): boolean {
  if (!KNOWN_TYPES.has(p.type)) return false;
  switch (p.type) {
    case ParticleType.INTEGER:
    case ParticleType.FLOAT:
      return p.value.length === 8;
    case ParticleType.BOOL:
      return p.value.length === 1;
    case ParticleType.NULL:
      return p.value.length === 0;
    default:
      return true;
  }
}

/** Types that may be a record's user key. */
export function isValidKeyType(type: number): boolean {
  return type === ParticleType.INTEGER || type === ParticleType.STRING || type === ParticleType.BLOB;
}

/** Decodes a particle into a JS value, for `records()` inspection. */
export function decodeParticle(p: Particle): DecodedValue {
  switch (p.type) {
    case ParticleType.NULL:
      return null;
    case ParticleType.INTEGER: {
      if (p.value.length !== 8) return p.value;
      const n = p.value.readBigInt64BE(0);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case ParticleType.FLOAT:
      return p.value.length === 8 ? p.value.readDoubleBE(0) : p.value;
    case ParticleType.STRING:
    case ParticleType.GEOJSON:
      return p.value.toString('utf8');
    case ParticleType.BOOL:
      return p.value.length === 1 ? p.value[0] !== 0 : p.value;
    default:
      return Buffer.from(p.value);
  }
}

/**
 * INCR: adds an integer or float operand to a bin. Returns undefined when
 * the types do not match (the server's INCOMPATIBLE_TYPE).
 */
export function incrementParticle(current: Particle | undefined, operand: Particle): Particle | undefined {
  if (operand.type !== ParticleType.INTEGER && operand.type !== ParticleType.FLOAT) return undefined;
  if (current === undefined) return { type: operand.type, value: Buffer.from(operand.value) };
  if (current.type !== operand.type) return undefined;
  const out = Buffer.alloc(8);
  if (operand.type === ParticleType.INTEGER) {
    // 64-bit wrap-around, as the server's int64 addition does
    out.writeBigInt64BE(BigInt.asIntN(64, current.value.readBigInt64BE(0) + operand.value.readBigInt64BE(0)));
  } else {
    out.writeDoubleBE(current.value.readDoubleBE(0) + operand.value.readDoubleBE(0));
  }
  return { type: operand.type, value: out };
}

/** APPEND / PREPEND on string and blob bins; undefined on a type mismatch. */
export function concatParticle(
  current: Particle | undefined,
  operand: Particle,
  prepend: boolean,
): Particle | undefined {
  if (operand.type !== ParticleType.STRING && operand.type !== ParticleType.BLOB) return undefined;
  if (current === undefined) return { type: operand.type, value: Buffer.from(operand.value) };
  if (current.type !== operand.type) return undefined;
  const value = prepend
    ? Buffer.concat([operand.value, current.value])
    : Buffer.concat([current.value, operand.value]);
  return { type: operand.type, value };
}
