import {
  BackendError,
  BackendMisconfiguredError,
  BackendUnavailableError,
  SessionStoreError,
} from '@session-stores/core';

/** The fields PouchDB errors and fetch errors carry. */
interface PouchErrorLike {
  readonly status?: unknown;
  readonly name?: unknown;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly reason?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

function fields(err: unknown): PouchErrorLike {
  return err !== null && typeof err === 'object' ? (err as PouchErrorLike) : {};
}

/** A 409 from `put` or `bulkDocs`: someone else wrote the document since the revision we used. */
export function isConflict(err: unknown): boolean {
  const { status, name, error } = fields(err) as PouchErrorLike & { error?: unknown };
  return status === 409 || name === 'conflict' || error === 'conflict';
}

/** A 404: missing or deleted document. */
export function isNotFound(err: unknown): boolean {
  const { status, name } = fields(err);
  return status === 404 || name === 'not_found';
}

/** Whether the error says the database cannot be reached (as opposed to refusing a request). */
export function isUnavailable(err: unknown): boolean {
  const { status, name, code, type } = fields(err);
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (type === 'system' || type === 'request-timeout') return true;
  if (name === 'FetchError' || name === 'AbortError') return true;
  return typeof status === 'number' && (status === 502 || status === 503 || status === 504);
}

/**
 * Maps an error from PouchDB (or its fetch) to the store's typed errors:
 * unreachable → `ERR_BACKEND_UNAVAILABLE`; 401/403 → `ERR_BACKEND_CONFIG`; anything else
 * → `ERR_BACKEND`, keeping the original as `cause`.
 */
export function classifyPouchError(err: unknown, storeName: string): SessionStoreError {
  if (err instanceof SessionStoreError) return err;
  const { status, message, reason } = fields(err);
  const text =
    typeof message === 'string' && message ? message : typeof reason === 'string' ? reason : String(err);
  if (isUnavailable(err)) {
    return new BackendUnavailableError(`${storeName}: the database is unreachable: ${text}`, { cause: err });
  }
  if (status === 401 || status === 403) {
    return new BackendMisconfiguredError(
      `${storeName}: the database refused access (${status}): give credentials with access to the database in the URL or in pouchOptions.auth`,
      { cause: err },
    );
  }
  return new BackendError(`${storeName}: ${text}`, { cause: err });
}
