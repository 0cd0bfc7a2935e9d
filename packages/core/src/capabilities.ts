/** The optional Store methods a backend may implement. */
export type OptionalMethod = 'touch' | 'all' | 'length' | 'clear' | 'ids';

/** Every {@link OptionalMethod}, in the order the manifest lists them. */
export const OPTIONAL_METHODS: readonly OptionalMethod[] = ['touch', 'all', 'length', 'clear', 'ids'];

/**
 * What a store class can really do. The conformance kit trusts this manifest and
 * nothing else: a declared feature is tested, an undeclared one is reported as
 * unsupported.
 */
export interface StoreCapabilities {
  /** Which optional methods work. */
  readonly methods: Readonly<Record<OptionalMethod, boolean>>;
  /** The smallest TTL step the backend honours, in milliseconds (1000 = whole seconds). */
  readonly ttlGranularityMs: number;
  /** Whether expired sessions disappear from the backend on their own (a server clock or a sweep). */
  readonly expiresOnServer: boolean;
  /** Stores with different prefixes never see or delete each other's sessions. */
  readonly prefixIsolation: boolean;
  /** Events the store emits. */
  readonly events: Readonly<{ connect: boolean; disconnect: boolean }>;
  /** How long a write may take to be visible to another store instance, in ms (0 = at once). */
  readonly replicationLagMs: number;
  /**
   * The backend writes a loaded session only over the version it loaded, so overlapping
   * requests merge their changes and a destroyed session is never written back (see the
   * `lastWriteWins` option). Absent means `false`.
   */
  readonly conditionalWrites?: boolean;
  /**
   * With the `userOf` option, the store keeps an index from each user to their sessions:
   * `sessionsOf()`, `destroyAllOf()` and `maxSessionsPerUser` work. Absent means `false`.
   */
  readonly userSessions?: boolean;
}

/** A manifest that promises nothing; backends spread and override it. */
export const NO_CAPABILITIES: StoreCapabilities = {
  methods: { touch: false, all: false, length: false, clear: false, ids: false },
  ttlGranularityMs: 1000,
  expiresOnServer: false,
  prefixIsolation: false,
  events: { connect: false, disconnect: false },
  replicationLagMs: 0,
  conditionalWrites: false,
  userSessions: false,
};
