// Compile-time check (run by `tsc --noEmit`, not by jest): the real clients of both
// libraries satisfy the structural client types the store's options accept.
import Redis, { Cluster } from 'ioredis';
import { createClient, createCluster, createSentinel } from 'redis';
import type { RedisStoreOptions } from '../src';

export const accepted: RedisStoreOptions[] = [
  { client: createClient() },
  { client: createCluster({ rootNodes: [] }) },
  { client: createSentinel({ name: 'mymaster', sentinelRootNodes: [] }) },
  { client: new Redis({ lazyConnect: true }) },
  { client: new Redis({ lazyConnect: true, sentinels: [{ host: '127.0.0.1', port: 1 }], name: 'mymaster' }) },
  { client: new Cluster([], { lazyConnect: true }) },
];
