import type { Client, ConfigOptions } from 'aerospike';
import * as Aerospike from 'aerospike';

/**
 * Timeouts of a client the store creates, unless the user's `policies` say otherwise.
 * Short on purpose: a session lookup that cannot finish within a second should fail
 * (`ERR_BACKEND_UNAVAILABLE`) instead of holding the request.
 */
export const DEFAULT_TIMEOUTS = {
  /** Initial connection to each seed host, in ms. */
  connTimeoutMs: 1000,
  /** Whole-command budget of get, put, operate, remove and batch commands, retries included, in ms. */
  totalTimeout: 1000,
  /** Idle time allowed on a scan's socket (scans have no total budget: sets can be large), in ms. */
  scanSocketTimeout: 10_000,
  /** Info commands (truncate), in ms. */
  infoTimeout: 1000,
} as const;

type PolicyType = 'read' | 'write' | 'operate' | 'remove' | 'batch' | 'scan' | 'query' | 'info';

/** What set() needs: store the key (scans list ids), replace the whole record. */
const STORE_WRITE = { key: Aerospike.policy.key.SEND, exists: Aerospike.policy.exists.CREATE_OR_REPLACE };
/** What touch() needs: store the key, and never create a missing record. */
const STORE_TOUCH = { key: Aerospike.policy.key.SEND, exists: Aerospike.policy.exists.UPDATE };

/**
 * Added to every policy the store sends. With the client's default `timeoutDelay`
 * (3000 ms) a command that times out while awaiting its reply is reported at once but
 * its connection stays open, counted against `maxConnsPerNode`, while the client drains
 * the late reply: the store's in-flight cap would then let new commands past the
 * client's limit (ERR_NO_MORE_CONNECTIONS). With 0 the connection is closed at the timeout.
 */
const CLOSE_ON_TIMEOUT = { timeoutDelay: 0 } as const;

/** The client configuration of a store-owned client: the user's, over the short defaults. */
export function ownedClientConfig(config: ConfigOptions): ConfigOptions {
  const user = (config.policies ?? {}) as Partial<Record<PolicyType, object>>;
  const single = { totalTimeout: DEFAULT_TIMEOUTS.totalTimeout };
  return {
    ...config,
    connTimeoutMs: config.connTimeoutMs ?? DEFAULT_TIMEOUTS.connTimeoutMs,
    policies: {
      ...config.policies,
      read: new Aerospike.ReadPolicy({ ...single, ...defined(user.read), ...CLOSE_ON_TIMEOUT }),
      // The store's own client: its defaults are what set() and touch() need (the same as
      // CommandPolicies.write / .touch), so those commands can pass no policy object.
      write: new Aerospike.WritePolicy({
        ...single,
        ...defined(user.write),
        ...CLOSE_ON_TIMEOUT,
        ...STORE_WRITE,
      }),
      operate: new Aerospike.OperatePolicy({
        ...single,
        ...defined(user.operate),
        ...CLOSE_ON_TIMEOUT,
        ...STORE_TOUCH,
      }),
      remove: new Aerospike.RemovePolicy({ ...single, ...defined(user.remove), ...CLOSE_ON_TIMEOUT }),
      batch: new Aerospike.BatchPolicy({ ...single, ...defined(user.batch) }),
      scan: new Aerospike.ScanPolicy({
        socketTimeout: DEFAULT_TIMEOUTS.scanSocketTimeout,
        ...defined(user.scan),
      }),
      info: new Aerospike.InfoPolicy({ timeout: DEFAULT_TIMEOUTS.infoTimeout, ...defined(user.info) }),
    },
  };
}

/**
 * The fields of a policy that are set. Policy objects carry every field as an own
 * property, most of them `undefined`, which would wipe a default when spread over it.
 */
function defined(policy: object | undefined): Record<string, unknown> {
  if (!policy) return {};
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== undefined));
}

/**
 * Per-command policies, built once per client. A policy passed to a command replaces
 * the client's configured default entirely (the C client starts from its built-in
 * defaults), so each one starts from the client's configured default and adds only
 * what the store needs (and {@link CLOSE_ON_TIMEOUT}).
 */
export class CommandPolicies {
  /** get / exists / batch row reads. */
  readonly read: Aerospike.ReadPolicy;
  /** set(): replace the whole record (no stale bins left), and store the key so scans return it. */
  readonly write: Aerospike.WritePolicy;
  /**
   * A replacing write that only succeeds while the record still has the generation it
   * was read with: the read-modify-write of touch() with a custom mapper.
   */
  readonly writeIfGeneration: Aerospike.WritePolicy;
  /** touch(): update only an existing record; a missing one fails with "not found". */
  readonly touch: Aerospike.OperatePolicy;
  /** destroy(). */
  readonly remove: Aerospike.RemovePolicy;
  /** all() reads and clear() removals, many keys per round trip. */
  readonly batch: Aerospike.BatchPolicy;
  /** all / ids / length / clear scans. */
  readonly scan: Aerospike.ScanPolicy;
  /** sessionsOf / destroyAllOf: the query on the user bin's secondary index. */
  readonly query: Aerospike.QueryPolicy;
  /** truncate. */
  readonly info: Aerospike.InfoPolicy;
  /** The reachability probe: one quick attempt, whatever the app configured. */
  readonly probe: Aerospike.ReadPolicy;

  constructor(client: Client) {
    const configured = ((client as { config?: { policies?: object } }).config?.policies ?? {}) as Partial<
      Record<PolicyType, object>
    >;
    const send = Aerospike.policy.key.SEND;
    this.read = new Aerospike.ReadPolicy({ ...defined(configured.read), ...CLOSE_ON_TIMEOUT });
    this.write = new Aerospike.WritePolicy({
      ...defined(configured.write),
      ...CLOSE_ON_TIMEOUT,
      ...STORE_WRITE,
    });
    this.writeIfGeneration = new Aerospike.WritePolicy({
      ...defined(configured.write),
      ...CLOSE_ON_TIMEOUT,
      key: send,
      exists: Aerospike.policy.exists.REPLACE,
      gen: Aerospike.policy.gen.EQ,
    });
    this.touch = new Aerospike.OperatePolicy({
      ...defined(configured.operate),
      ...CLOSE_ON_TIMEOUT,
      ...STORE_TOUCH,
    });
    this.remove = new Aerospike.RemovePolicy({ ...defined(configured.remove), ...CLOSE_ON_TIMEOUT });
    this.batch = new Aerospike.BatchPolicy({ ...defined(configured.batch), ...CLOSE_ON_TIMEOUT });
    this.scan = new Aerospike.ScanPolicy({ ...defined(configured.scan), ...CLOSE_ON_TIMEOUT });
    this.query = new Aerospike.QueryPolicy({ ...defined(configured.query), ...CLOSE_ON_TIMEOUT });
    this.info = new Aerospike.InfoPolicy({ ...defined(configured.info), ...CLOSE_ON_TIMEOUT });
    this.probe = new Aerospike.ReadPolicy({
      ...defined(configured.read),
      ...CLOSE_ON_TIMEOUT,
      totalTimeout: DEFAULT_TIMEOUTS.totalTimeout,
      maxRetries: 0,
    });
  }
}
