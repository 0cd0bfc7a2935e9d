/**
 * Server time. Aerospike counts record expiry ("void-time") and last-update
 * times from the "citrusleaf epoch", 2010-01-01T00:00:00Z.
 */

/** 2010-01-01T00:00:00Z in Unix seconds. */
export const CITRUSLEAF_EPOCH_SECONDS = 1262304000;

/** Current time in whole seconds since the citrusleaf epoch. */
export function nowClepochSeconds(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000) - CITRUSLEAF_EPOCH_SECONDS;
}

/** Current time in milliseconds since the citrusleaf epoch (used for last-update-time). */
export function nowClepochMs(nowMs: number = Date.now()): number {
  return nowMs - CITRUSLEAF_EPOCH_SECONDS * 1000;
}
