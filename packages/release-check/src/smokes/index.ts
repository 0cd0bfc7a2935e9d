import { aerospikeStoreSmoke } from './aerospike-store';
import { altSessionAsyncSmoke } from './alt-session-async';
import { coreSmoke } from './core';
import { expredisReplicatedSmoke } from './expredis-replicated';
import { genericSmoke } from './generic';
import { pouchStoreSmoke } from './pouch-store';
import { redisStoreSmoke } from './redis-store';
import type { SmokeDefinition } from './smoke-definition';

export type { SmokeDefinition, SmokeServer } from './smoke-definition';

/** The packages with a smoke of their own; every other one gets {@link genericSmoke}. */
const SMOKES: Readonly<Record<string, SmokeDefinition>> = {
  '@session-stores/aerospike-store': aerospikeStoreSmoke,
  '@session-stores/alt-session-async': altSessionAsyncSmoke,
  '@session-stores/core': coreSmoke,
  '@session-stores/expredis-replicated': expredisReplicatedSmoke,
  '@session-stores/pouch-store': pouchStoreSmoke,
  '@session-stores/redis-store': redisStoreSmoke,
};

/** The smoke to run against `packageName`, and whether it is only the generic exports check. */
export function smokeFor(packageName: string): { definition: SmokeDefinition; generic: boolean } {
  const own = SMOKES[packageName];
  return own ? { definition: own, generic: false } : { definition: genericSmoke(packageName), generic: true };
}
