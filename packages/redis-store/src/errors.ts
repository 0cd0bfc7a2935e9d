import {
  BackendError,
  BackendMisconfiguredError,
  BackendUnavailableError,
  SessionStoreError,
} from '@session-stores/core';

/** Error codes of the socket layer that mean "the server cannot be reached right now". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a unix socket path that is gone
]);

/** Client error classes (node-redis v4/v5, ioredis) that mean the connection is down or too slow. */
const UNAVAILABLE_CLASSES = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
  'RootNodesUnavailableError',
  'TimeoutError',
  'AbortError',
  'DisconnectsClientError',
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
]);

/** Messages of client errors that carry no class of their own. */
const UNAVAILABLE_MESSAGES = [
  /^Connection is closed/i, // ioredis
  /^Stream isn't writeable/i, // ioredis without offline queue
  /^None of startup nodes is available/i, // ioredis cluster
  /^Failed to refresh slots cache/i, // ioredis cluster
  /^Command timed out/i, // ioredis commandTimeout
  /^The client is (closed|offline)/i, // node-redis
  /^Socket closed unexpectedly/i, // node-redis
  /^Connection timeout/i, // node-redis
  /^connect E[A-Z]+/, // net errors wrapped in a message
];

/**
 * ioredis Cluster giving up after `maxRedirections` tries: the last try's error comes only as
 * text ("Error: Connection is closed.", "ReplyError: CLUSTERDOWN ..."), judged like the error.
 */
const CLUSTER_GAVE_UP = /^Too many Cluster redirections\. Last error: (?:[A-Za-z]*Error: )?([\s\S]*)$/;

/** Redis error replies that a retry or a failover will fix. */
const TRANSIENT_REPLIES = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|BUSY|NOREPLICAS|MOVED|ASK)\b/;

/** Redis error replies that only a configuration change will fix. */
const CONFIG_REPLIES =
  /^(NOAUTH|WRONGPASS|NOPERM|MISCONF)\b|^ERR (AUTH|unknown command|invalid password|DB index)/i;

function isErrorLike(err: unknown): err is Error {
  return (
    typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
  );
}

function className(err: Error): string {
  return err.constructor?.name ?? err.name;
}

/** Whether the failure says the server is down, unreachable or not answering. */
export function isUnavailable(err: unknown): boolean {
  // Duck-typed, not `instanceof Error`: errors made by Node's network code in another
  // realm (a vm context, as under jest) are not instances of this realm's Error.
  if (!isErrorLike(err)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (UNAVAILABLE_CLASSES.has(className(err)) || UNAVAILABLE_CLASSES.has(err.name)) return true;
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(err.message))) return true;
  if (TRANSIENT_REPLIES.test(err.message)) return true;
  const gaveUp = CLUSTER_GAVE_UP.exec(err.message);
  if (gaveUp) return isUnavailable(new Error(gaveUp[1]));
  // A failure whose cause is a network error (ioredis and node-redis sometimes wrap them).
  return err.cause !== undefined && err.cause !== err && isUnavailable(err.cause);
}

/**
 * Maps whatever a Redis client threw to the store's typed errors:
 * - connection refused, reset or closed, timeouts, an offline client, and replies such
 *   as LOADING, CLUSTERDOWN or READONLY (a failover in progress) → `BackendUnavailableError`;
 * - authentication, ACL and unknown-command replies → `BackendMisconfiguredError`;
 * - any other error reply → `BackendError`.
 */
export function classifyRedisError(err: unknown, storeName: string): SessionStoreError {
  if (err instanceof SessionStoreError) return err;
  const message = isErrorLike(err) ? err.message : String(err);
  if (isUnavailable(err)) {
    return new BackendUnavailableError(`${storeName}: Redis is unavailable: ${message}`, { cause: err });
  }
  if (isConfigError(err)) {
    return new BackendMisconfiguredError(`${storeName}: Redis refused the command: ${message}`, {
      cause: err,
    });
  }
  return new BackendError(`${storeName}: ${message}`, { cause: err });
}

/** Whether the failure is one only a configuration change fixes (credentials, ACLs, a disabled command). */
export function isConfigError(err: unknown): boolean {
  return isErrorLike(err) && CONFIG_REPLIES.test(err.message);
}

/** Whether a Redis reply error is WRONGTYPE: the key holds something other than a string. */
export function isWrongType(err: unknown): boolean {
  return isErrorLike(err) && err.message.startsWith('WRONGTYPE');
}

/** Whether a Redis reply error says the script cache does not hold the script. */
export function isNoScript(err: unknown): boolean {
  return isErrorLike(err) && err.message.startsWith('NOSCRIPT');
}
