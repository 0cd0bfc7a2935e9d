/**
 * A server a smoke script needs; its address reaches the scripts as `SMOKE_REDIS_URL`,
 * `SMOKE_REDIS_GROUP_URLS` (three independent servers, comma-separated) or
 * `SMOKE_AEROSPIKE_HOSTS`.
 */
export type SmokeServer = 'redis' | 'redis-group' | 'aerospike';

/** What the release check runs against one package installed from its tarball. */
export interface SmokeDefinition {
  /** Packages a user adds beside ours and the required peers, e.g. the client of an optional peer. */
  readonly extraInstalls: readonly string[];
  /** Servers started before the scripts run. */
  readonly servers: readonly SmokeServer[];
  /** A CommonJS script (smoke.cjs); it must exit 0. */
  readonly cjs: string;
  /** An ES module script (smoke.mjs); it must exit 0. */
  readonly esm: string;
  /** TypeScript using the public types, type-checked both as .cts and as .mts. */
  readonly types: string;
}
