import {
  BackendError,
  BackendMisconfiguredError,
  BackendUnavailableError,
  SessionStoreError,
} from '@session-stores/core';
import * as Aerospike from 'aerospike';

const { status } = Aerospike;

/** Result codes meaning the cluster cannot be reached at all: they drive the `disconnect` event. */
const UNREACHABLE = new Set<number>([
  status.ERR_CONNECTION,
  status.ERR_ASYNC_CONNECTION,
  status.ERR_INVALID_NODE,
  status.ERR_CLUSTER,
  status.ERR_TLS_ERROR,
  status.NO_RESPONSE,
]);

/** Result codes meaning the cluster is there but too slow or too busy right now. */
const OVERLOADED = new Set<number>([
  status.ERR_TIMEOUT,
  status.ERR_MAX_RETRIES_EXCEEDED,
  status.ERR_NO_MORE_CONNECTIONS,
  status.ERR_ASYNC_QUEUE_FULL,
  status.MAX_ERROR_RATE,
  status.ERR_RECORD_BUSY,
  status.ERR_DEVICE_OVERLOAD,
  status.ERR_CLUSTER_CHANGE,
]);

/** The result code of an error from the aerospike client, if it is one. */
export function resultCode(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const { code } = err as { code?: unknown };
  return typeof code === 'number' ? code : undefined;
}

/** An error carrying a result code, for results that come back as statuses (batch rows). */
export function statusError(code: number, what: string): Error & { code: number } {
  return Object.assign(new Error(`${what} failed with result code ${code} (${statusName(code)})`), { code });
}

/** Whether `err` says the cluster is unreachable (as opposed to slow, or answering with an error). */
export function isUnreachable(err: unknown): boolean {
  const code = resultCode(err);
  if (code === undefined) return false;
  if (UNREACHABLE.has(code)) return true;
  // The client reports "Not connected." and "Failed to connect" with the generic client code.
  return code === status.ERR_CLIENT && /not connected|failed to connect/i.test(messageOf(err));
}

/** Whether `err` is a temporary condition: unreachable, timed out or overloaded. */
export function isTransient(err: unknown): boolean {
  const code = resultCode(err);
  return isUnreachable(err) || (code !== undefined && OVERLOADED.has(code));
}

/**
 * Maps an error from the aerospike client to the store's typed errors:
 * unreachable, timeouts and overload → `ERR_BACKEND_UNAVAILABLE`; server settings the
 * store cannot work with (error 22 on a TTL write, unknown namespace) →
 * `ERR_BACKEND_CONFIG` saying what to change; anything else → `ERR_BACKEND`.
 */
export function toStoreError(err: unknown, namespace: string, storeName: string): SessionStoreError {
  if (err instanceof SessionStoreError) return err;
  const message = messageOf(err);
  const code = resultCode(err);
  if (code === undefined) return new BackendError(`${storeName}: ${message}`, { cause: err });
  const described = `${message} (result code ${code}, ${statusName(code)})`;
  if (isTransient(err)) {
    return new BackendUnavailableError(`${storeName}: Aerospike is unavailable: ${described}`, {
      cause: err,
    });
  }
  if (code === status.ERR_FAIL_FORBIDDEN) {
    return new BackendMisconfiguredError(nsupMessage(namespace, storeName, code), { cause: err });
  }
  if (code === status.ERR_NAMESPACE_NOT_FOUND) {
    return new BackendMisconfiguredError(
      `${storeName}: namespace "${namespace}" does not exist on the Aerospike cluster (result code ${code}). ` +
        `Add a "namespace ${namespace} { ... }" stanza to aerospike.conf, or pass the namespace option with one that exists.`,
      { cause: err },
    );
  }
  if (code === status.ERR_RECORD_TOO_BIG) {
    return new BackendError(
      `${storeName}: the session is larger than namespace "${namespace}" accepts (result code ${code}, RECORD_TOO_BIG); ` +
        'raise the namespace setting max-record-size, or store less in the session',
      { cause: err },
    );
  }
  return new BackendError(`${storeName}: ${described}`, { cause: err });
}

/** The error 22 explanation: which namespace setting to change, and how. */
function nsupMessage(namespace: string, storeName: string, code: number): string {
  return (
    `${storeName}: Aerospike refused to write a session with a TTL (result code ${code}, FORBIDDEN) because ` +
    `namespace "${namespace}" has nsup-period 0, so expired records would never be removed. ` +
    `Change namespace "${namespace}": set nsup-period greater than 0 ` +
    `(at runtime: asinfo -v "set-config:context=namespace;id=${namespace};nsup-period=120"; in aerospike.conf: ` +
    `"nsup-period 120" in "namespace ${namespace} { ... }"), or set allow-ttl-without-nsup to true for it ` +
    `(asinfo -v "set-config:context=namespace;id=${namespace};allow-ttl-without-nsup=true"). ` +
    'Alternatively create the store with disableTTL: true (sessions then never expire on the server).'
  );
}

/** The symbolic name of a result code (`ERR_RECORD_NOT_FOUND`, ...), for messages. */
export function statusName(code: number): string {
  for (const [name, value] of Object.entries(status)) {
    if (value === code && !name.startsWith('AEROSPIKE_')) return name;
  }
  return 'unknown';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
