/**
 * Public types of the test server: options and the handle returned by
 * `startAerospikeTestServer`.
 */
import type { InspectedRecord } from './record-store';

/** Per-namespace options (all optional; defaults match the reference server). */
export interface NamespaceOptions {
  /** Seconds between expiry sweeps; 0 = off (then TTL writes fail with rc 22 unless allowed). Default 1. */
  nsupPeriod?: number;
  /** Default TTL in seconds for writes with ttl 0; 0 = never expire. Default 0. */
  defaultTtl?: number;
  /** Allow TTL writes while nsup-period is 0. Default false. */
  allowTtlWithoutNsup?: boolean;
  /** Max stored record size in bytes. Default 1048576. */
  maxRecordSize?: number;
}

/** Options of `startAerospikeTestServer`. */
export interface AerospikeTestServerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Namespaces and their config; default `{ test: {}, express: {} }`. */
  namespaces?: Record<string, NamespaceOptions>;
  /** Node name reported by `node`; default derived from the port. */
  nodeName?: string;
  /** Reported by `cluster-name`; default `local-dev` (the reference server's). */
  clusterName?: string;
  /**
   * Where the server runs. `'worker'` (default): in a worker thread, which
   * is required when the official client runs in the same process, because
   * the client's `connect()` blocks the calling thread while it talks to the
   * server. `'current'`: in the calling thread (CLI, raw-socket tests).
   */
  thread?: 'worker' | 'current';
}

/** A running test server. */
export interface AerospikeTestServer {
  /** Bound address. */
  readonly host: string;
  /** Bound port. */
  readonly port: number;
  /** `host:port`, ready for the client's `hosts` option. */
  readonly hostsString: string;
  /** Node name the server reports. */
  readonly nodeName: string;
  /** Closes the listener and every connection. Data is dropped with the instance. */
  stop(): Promise<void>;
  /** Simulates an outage: closes the listener and destroys every connection, keeps the data. */
  pause(): Promise<void>;
  /** Listens again on the same port after `pause()`. */
  resume(): Promise<void>;
  /** Live (unexpired) records of a namespace, optionally of one set, for test inspection. */
  records(namespace: string, set?: string): InspectedRecord[];
  /** Changes a namespace's runtime config (like `set-config`, without its checks). */
  setNamespaceConfig(namespace: string, config: NamespaceOptions): Promise<void>;
}

/** Build reported to clients; the client gates features on it. */
export const SERVER_BUILD = '8.1.0.3';
