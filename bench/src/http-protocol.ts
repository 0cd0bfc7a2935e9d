import type { AerospikeTarget, RedisEndpoint } from './context';
import type { MemoryFigures } from './memory';

/** Messages between the benchmark (parent) and the HTTP server process (child, `http-server.ts`). */

/** Parent -> child: build this subject, load sessions, listen. */
export interface StartMessage {
  type: 'start';
  subject: string;
  prefix: string;
  sessions: number;
  concurrency: number;
  secret: string;
}

/** Parent -> child: close everything and report memory. */
export interface StopMessage {
  type: 'stop';
}

/** Parent -> child: the answer to {@link RedisUrlRequest}. */
export interface RedisUrlReply {
  type: 'redis-url';
  url?: string;
  error?: string;
}

/** Parent -> child: the answer to {@link AerospikeRequest}. */
export interface AerospikeReply {
  type: 'aerospike';
  target?: AerospikeTarget;
  error?: string;
}

/** Parent -> child: the answer to {@link RedisGroupRequest}. */
export interface RedisGroupReply {
  type: 'redis-group';
  servers?: RedisEndpoint[];
  error?: string;
}

/** Parent -> child: report the CPU time the process has used so far ({@link ChildMessage} `cpu`). */
export interface CpuRequest {
  type: 'cpu?';
}

/** Parent -> child: the answer to {@link CouchUrlRequest}. */
export interface CouchUrlReply {
  type: 'couch-url';
  url?: string;
  error?: string;
}

/** Everything the parent sends. */
export type ParentMessage =
  | StartMessage
  | StopMessage
  | CpuRequest
  | RedisUrlReply
  | AerospikeReply
  | RedisGroupReply
  | CouchUrlReply;

/** Child -> parent: the subject needs the run's Redis server (started on first use, in the parent). */
export interface RedisUrlRequest {
  type: 'redis-url?';
}

/** Child -> parent: the subject needs the run's Aerospike server (started on first use, in the parent). */
export interface AerospikeRequest {
  type: 'aerospike?';
}

/** Child -> parent: the subject needs `count` independent Redis servers (started on first use, in the parent). */
export interface RedisGroupRequest {
  type: 'redis-group?';
  count: number;
}

/** Child -> parent: the subject needs the run's CouchDB-API server (started on first use, in the parent). */
export interface CouchUrlRequest {
  type: 'couch-url?';
}

/** Child -> parent: progress the parent waits for. */
export type ChildMessage =
  | { type: 'ready'; port: number; ids: string[] }
  | { type: 'stopped'; memory: MemoryFigures }
  /** `process.cpuUsage()` of the server process, in µs. */
  | { type: 'cpu'; userUs: number; systemUs: number }
  | { type: 'error'; message: string; unavailable: boolean };

/** Name of the session cookie (express-session's default). */
export const COOKIE_NAME = 'connect.sid';
