/** Number of hash slots in a Redis Cluster. */
export const HASH_SLOTS = 16_384;

// CRC16/XMODEM (polynomial 0x1021), the checksum Redis Cluster uses for key slots.
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  }
  return crc;
}

/**
 * The cluster hash slot of a key, as `CLUSTER KEYSLOT` computes it: CRC16 of the key's
 * UTF-8 bytes, or of its hash tag (the bytes between the first `{` and the next `}`,
 * when that is not empty), modulo 16384.
 */
export function hashSlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) % HASH_SLOTS;
  }
  return crc16(bytes, 0, bytes.length) % HASH_SLOTS;
}

/**
 * Splits keys into groups that each live in one hash slot, keeping every key's
 * original position, so a multi-key command per group never fails with CROSSSLOT.
 */
export function groupBySlot(keys: readonly string[]): Array<{ keys: string[]; positions: number[] }> {
  const groups = new Map<number, { keys: string[]; positions: number[] }>();
  keys.forEach((key, position) => {
    const slot = hashSlot(key);
    let group = groups.get(slot);
    if (!group) {
      group = { keys: [], positions: [] };
      groups.set(slot, group);
    }
    group.keys.push(key);
    group.positions.push(position);
  });
  return [...groups.values()];
}
