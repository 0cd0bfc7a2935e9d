import type { Store } from 'express-session';
import type { StoreOps } from './store-ops';

/** What a subject's factory may ask for. One context per subject instance. */
export interface SubjectContext {
  /** A key prefix unique to this instance, so subjects sharing a server never see each other's keys. */
  readonly prefix: string;
  /** URL of the run's Redis server (started on first use by `@session-stores/test-servers`). */
  redisUrl(): Promise<string>;
  /** The run's Aerospike server (`AEROSPIKE_HOSTS`, else the TypeScript test server, started on first use). */
  aerospike(): Promise<AerospikeTarget>;
  /**
   * `count` independent redis-servers of the run (started once per count by `startRedisGroup`
   * of `@session-stores/test-servers`, or `REDIS_REPLICA_URLS`), for stores writing to several.
   */
  redisGroup(count: number): Promise<RedisEndpoint[]>;
  /**
   * Base URL (trailing slash) of the run's CouchDB-API server: express-pouchdb of
   * `@session-stores/test-servers` in a child process, or `COUCHDB_URL`; started on first use.
   * A subject creates a database of its own there (named after its prefix) and deletes it on close.
   */
  couchUrl(): Promise<string>;
}

/** One server of {@link SubjectContext.redisGroup}. */
export interface RedisEndpoint {
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/** Where an Aerospike subject writes: a server, a namespace, and a set of its own. */
export interface AerospikeTarget {
  /** `host:port[,host:port]`, for the client's `hosts`. */
  readonly hosts: string;
  readonly namespace: string;
  /** A set used by this subject only (truncated after each instance). */
  readonly set: string;
  /** `env`: a server named by AEROSPIKE_HOSTS; `test-server`: @session-stores/aerospike-test-server. */
  readonly source: 'env' | 'test-server';
}

/** A subject ready to be measured. */
export interface SubjectInstance {
  /** The operations the store-level benchmark calls. */
  readonly ops: StoreOps;
  /** The express-session store, for the HTTP benchmark; absent for raw clients. */
  readonly store?: Store;
  /** Releases the subject (store, then any client the factory created). */
  close(): Promise<void>;
}

/** Thrown by a factory that cannot run here (a package not built, a server missing): the subject is skipped. */
export class SubjectUnavailable extends Error {
  override name = 'SubjectUnavailable';
}

/** Thrown when a subject returns wrong data: it is reported as FAILED and none of its figures are shown. */
export class VerificationFailure extends Error {
  override name = 'VerificationFailure';
}
