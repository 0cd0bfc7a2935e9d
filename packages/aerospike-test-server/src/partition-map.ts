/**
 * Partition ownership. This server is a one-node cluster, so it owns every
 * one of the 4096 partitions of every namespace, with replication factor 1.
 */
import { N_PARTITIONS } from './protocol';

/** Partition id of a digest: its first two bytes, little-endian, low 12 bits. */
export function partitionIdOf(digest: Buffer): number {
  return ((digest[0] ?? 0) | ((digest[1] ?? 0) << 8)) & (N_PARTITIONS - 1);
}

/** base64 of a 4096-bit map with every bit set ("this node has every partition"). */
const ALL_PARTITIONS_B64 = Buffer.alloc(N_PARTITIONS / 8, 0xff).toString('base64');

/**
 * Value of the `replicas` info command:
 * `ns:regime,n_replicas,bitmap` per namespace, joined by `;` (no trailing `;`).
 */
export function replicasValue(namespaces: readonly string[]): string {
  return namespaces.map((ns) => `${ns}:0,1,${ALL_PARTITIONS_B64}`).join(';');
}

/** Value of the older `replicas-all` command: `ns:n_replicas,bitmap;...`. */
export function replicasAllValue(namespaces: readonly string[]): string {
  return namespaces.map((ns) => `${ns}:1,${ALL_PARTITIONS_B64}`).join(';');
}

/** Value of the older `replicas-master` command: `ns:bitmap;...`. */
export function replicasMasterValue(namespaces: readonly string[]): string {
  return namespaces.map((ns) => `${ns}:${ALL_PARTITIONS_B64}`).join(';');
}
