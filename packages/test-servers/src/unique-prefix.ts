import { randomBytes } from 'node:crypto';

/**
 * A key prefix unique to this run, e.g. `t:redis-store:9f2c41d07ab3:`, so tests sharing a server
 * (an env one in CI, or parallel workers) never see each other's keys and can clean up by prefix.
 * Characters other than letters, digits, `-` and `_` in `label` become `_`.
 */
export function uniquePrefix(label: string): string {
  return `t:${label.replace(/[^\w-]/g, '_')}:${randomBytes(6).toString('hex')}:`;
}
