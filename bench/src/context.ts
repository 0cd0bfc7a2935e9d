import type { Store } from 'express-session';
import type { StoreOps } from './store-ops';

/** What a subject's factory may ask for. One context per subject instance. */
export interface SubjectContext {
  /** A key prefix unique to this instance, so subjects sharing a server never see each other's keys. */
  readonly prefix: string;
  /** URL of the run's Redis server (started on first use by `@session-stores/test-servers`). */
  redisUrl(): Promise<string>;
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
