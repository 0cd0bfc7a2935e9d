/**
 * Record digests. Clients normally send the 20-byte digest themselves; when
 * a request carries only the KEY field the server computes it the same way:
 * RIPEMD-160 over the set name, the key's particle type byte and the key bytes.
 */
import { createHash } from 'node:crypto';

/** Digest of a key; `keyField` is the KEY field data (particle type byte + value). */
export function computeDigest(setName: string, keyField: Buffer): Buffer {
  return createHash('ripemd160').update(Buffer.from(setName, 'utf8')).update(keyField).digest();
}
