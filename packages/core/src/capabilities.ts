import { InvalidOptionError } from './errors';

/** The optional Store methods a backend may implement. */
export type OptionalMethod = 'touch' | 'all' | 'length' | 'clear' | 'ids';

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
};

/** Partial overrides for {@link StoreCapabilities}, for narrowing a manifest. */
export type CapabilityOverrides = {
  readonly methods?: Partial<Record<OptionalMethod, boolean>>;
  readonly events?: Partial<{ connect: boolean; disconnect: boolean }>;
} & Partial<Omit<StoreCapabilities, 'methods' | 'events'>>;

/**
 * Applies overrides that may only take promises away, never add them.
 * @throws InvalidOptionError when an override claims more than the declared manifest.
 */
export function narrowCapabilities(
  declared: StoreCapabilities,
  overrides: CapabilityOverrides = {},
): StoreCapabilities {
  const widened = (name: string): never => {
    throw new InvalidOptionError(
      `capabilities.${name}`,
      'an override may only narrow what the store declares',
    );
  };
  const methods = { ...declared.methods };
  for (const [name, value] of Object.entries(overrides.methods ?? {}) as [OptionalMethod, boolean][]) {
    if (value && !declared.methods[name]) widened(`methods.${name}`);
    methods[name] = value;
  }
  const events = { ...declared.events };
  for (const [name, value] of Object.entries(overrides.events ?? {}) as [
    'connect' | 'disconnect',
    boolean,
  ][]) {
    if (value && !declared.events[name]) widened(`events.${name}`);
    events[name] = value;
  }
  const flag = (name: 'expiresOnServer' | 'prefixIsolation' | 'conditionalWrites'): boolean => {
    const value = overrides[name];
    if (value === undefined) return declared[name] === true;
    if (value && !declared[name]) widened(name);
    return value;
  };
  const atLeast = (name: 'ttlGranularityMs' | 'replicationLagMs'): number => {
    const value = overrides[name];
    if (value === undefined) return declared[name];
    if (value < declared[name]) widened(name);
    return value;
  };
  return {
    methods,
    events,
    expiresOnServer: flag('expiresOnServer'),
    prefixIsolation: flag('prefixIsolation'),
    conditionalWrites: flag('conditionalWrites'),
    ttlGranularityMs: atLeast('ttlGranularityMs'),
    replicationLagMs: atLeast('replicationLagMs'),
  };
}
