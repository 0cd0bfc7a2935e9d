import {
  InvalidOptionError,
  isPlainObject,
  optionalObject,
  SESSION_STORE_OPTION_NAMES,
  type SessionStoreOptions,
} from '@session-stores/core';
import type { Client, ConfigOptions } from 'aerospike';
import { type RecordMapper, validateMapper } from './record-mapper';

/** The namespace used when none is given (as in aerospike-session-store). */
export const DEFAULT_NAMESPACE = 'test';
/** The set used when none is given (as in aerospike-session-store). */
export const DEFAULT_SET = 'express-session';

/** Aerospike's limits on names, in UTF-8 bytes (server 8.x). */
const MAX_NAMESPACE_BYTES = 31;
const MAX_SET_BYTES = 63;

/** Options of the store itself, on top of core's common ones. */
export interface AerospikeOwnOptions {
  /**
   * An Aerospike client your app created and connected (`await Aerospike.connect(config)`).
   * The store uses it as is and never closes it. Without it, the store creates and owns
   * a client from the client options given alongside (`hosts`, `policies`, ...).
   */
  client?: Client | undefined;
  /** Aerospike namespace. Default `'test'`. */
  namespace?: string | undefined;
  /** Aerospike set holding the sessions. Default `'express-session'`. */
  set?: string | undefined;
  /**
   * Turns sessions into bins and back. Default: bin `session` (the serialized session
   * without its cookie) plus bin `cookie` (the serialized cookie). Not with `serializer`.
   */
  mapper?: RecordMapper | undefined;
}

/**
 * Options of {@link AerospikeStore}: core's common options (`prefix` defaults to `''`
 * here, because the set already isolates the sessions), the store's own, and, when no
 * `client` is given, the configuration of the client the store creates (`hosts`,
 * `policies`, `connTimeoutMs`, `user`, `password`, `tls`, ... as `Aerospike.client(config)`
 * takes them).
 */
export interface AerospikeStoreOptions extends SessionStoreOptions, AerospikeOwnOptions, ConfigOptions {}

/** Options checked and split into what the store uses and what goes to the client. */
export interface ResolvedOptions {
  readonly namespace: string;
  readonly set: string;
  readonly mapper: RecordMapper | undefined;
  /** The user's client, or undefined when the store owns one built from `clientConfig`. */
  readonly client: Client | undefined;
  /** The client configuration given by the user (empty with `client`). */
  readonly clientConfig: ConfigOptions;
}

/** Option names of this store. */
const OWN_KEYS = ['client', 'namespace', 'set', 'mapper'] as const;
/**
 * The top-level keys of `ConfigOptions` in aerospike 6.7. An unknown key is more
 * likely a typo (`namepsace`) than a client option, so it is rejected; a client option
 * newer than this list can still be used by passing your own `client`.
 */
const CLIENT_CONFIG_KEYS = [
  'appId',
  'authMode',
  'clusterName',
  'configProvider',
  'connTimeoutMs',
  'errorRateWindow',
  'hosts',
  'log',
  'loginTimeoutMs',
  'maxConnsPerNode',
  'maxErrorRate',
  'maxSocketIdle',
  'minConnsPerNode',
  'modlua',
  'password',
  'policies',
  'port',
  'rackAware',
  'rackId',
  'rackIds',
  'sharedMemory',
  'tenderInterval',
  'tls',
  'useAlternateAccessAddress',
  'user',
] as const;

const KNOWN_KEYS = new Set<string>([...SESSION_STORE_OPTION_NAMES, ...OWN_KEYS]);
const CLIENT_KEYS = new Set<string>(CLIENT_CONFIG_KEYS);

/**
 * Checks the store's own options and splits off the client configuration. Core's
 * options are checked by `SessionStore`.
 * @throws InvalidOptionError naming the option at fault.
 */
export function resolveOptions(options: AerospikeStoreOptions): ResolvedOptions {
  optionalObject(options, 'options');
  const clientConfig: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (KNOWN_KEYS.has(name)) continue;
    if (!CLIENT_KEYS.has(name)) {
      throw new InvalidOptionError(
        name,
        'unknown option: neither an AerospikeStore option nor a key of the aerospike client configuration',
      );
    }
    if (value !== undefined) clientConfig[name] = value;
  }
  const client = validateClient(options.client);
  if (client !== undefined) {
    const conflicting = Object.keys(clientConfig)[0];
    if (conflicting !== undefined) {
      throw new InvalidOptionError(
        conflicting,
        'client configuration cannot be combined with `client`: configure the client you pass instead',
      );
    }
  }
  validateClientConfig(clientConfig);
  const mapper = validateMapper(options.mapper);
  if (mapper !== undefined && options.serializer !== undefined) {
    throw new InvalidOptionError(
      'serializer',
      'not used with a custom mapper: the mapper encodes the session into bins itself',
    );
  }
  return {
    namespace: validateName('namespace', options.namespace, DEFAULT_NAMESPACE, MAX_NAMESPACE_BYTES),
    set: validateName('set', options.set, DEFAULT_SET, MAX_SET_BYTES),
    mapper,
    client,
    clientConfig: clientConfig as ConfigOptions,
  };
}

function validateClient(client: unknown): Client | undefined {
  if (client === undefined || client === null) return undefined;
  // Duck-typed, so a client from another copy of the aerospike package is accepted too.
  const methods = ['get', 'put', 'operate', 'scan', 'on', 'isConnected'];
  const candidate = client as Record<string, unknown>;
  if (typeof client !== 'object' || !methods.every((method) => typeof candidate[method] === 'function')) {
    throw new InvalidOptionError(
      'client',
      'expected an Aerospike client (from Aerospike.connect or Aerospike.client)',
    );
  }
  return client as Client;
}

/** Checks the client options whose mistakes the client itself reports poorly or late. */
function validateClientConfig(config: Record<string, unknown>): void {
  const { hosts, policies } = config;
  if (hosts !== undefined) {
    const valid =
      (typeof hosts === 'string' && hosts.trim() !== '') ||
      (Array.isArray(hosts) &&
        hosts.length > 0 &&
        hosts.every(
          (host: unknown) =>
            host !== null &&
            typeof host === 'object' &&
            typeof (host as { addr?: unknown }).addr === 'string' &&
            ['number', 'undefined'].includes(typeof (host as { port?: unknown }).port),
        ));
    if (!valid) {
      throw new InvalidOptionError(
        'hosts',
        'expected "host:port[,host:port...]" or an array of { addr, port } objects',
      );
    }
  }
  if (policies !== undefined && !isPlainObject(policies)) {
    throw new InvalidOptionError(
      'policies',
      'expected an object of policies by command type (read, write, ...)',
    );
  }
  for (const name of [
    'connTimeoutMs',
    'loginTimeoutMs',
    'tenderInterval',
    'maxConnsPerNode',
    'minConnsPerNode',
    'maxSocketIdle',
    'maxErrorRate',
    'errorRateWindow',
    'port',
  ]) {
    const value = config[name];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
      throw new InvalidOptionError(name, 'expected a non-negative integer');
    }
  }
  for (const name of ['user', 'password', 'clusterName', 'appId']) {
    const value = config[name];
    if (value !== undefined && typeof value !== 'string') {
      throw new InvalidOptionError(name, 'expected a string');
    }
  }
}

function validateName(option: string, value: unknown, fallback: string, maxBytes: number): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(option, 'expected a non-empty string');
  }
  if (Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new InvalidOptionError(option, `longer than Aerospike's limit of ${maxBytes} bytes`);
  }
  // ':' and ';' delimit the info protocol that truncate and set listings use.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[:;\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidOptionError(option, "must not contain ':', ';' or control characters");
  }
  return value;
}
