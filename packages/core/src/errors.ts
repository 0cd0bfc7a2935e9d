/**
 * Stable error codes. Code that handles store errors should switch on `err.code`,
 * never on the message text, which may change.
 */
export const ErrorCode = {
  /** Stored data under a session id could not be decoded. */
  CorruptSession: 'ERR_SESSION_CORRUPT',
  /** A session could not be encoded (for example a circular structure). */
  SerializeFailed: 'ERR_SESSION_SERIALIZE',
  /** The database could not be reached, or did not answer in time. */
  BackendUnavailable: 'ERR_BACKEND_UNAVAILABLE',
  /** The database answered with an error that is not about availability. */
  BackendError: 'ERR_BACKEND',
  /** The database is reachable but configured in a way the store cannot work with. */
  BackendMisconfigured: 'ERR_BACKEND_CONFIG',
  /** A constructor option is invalid; `err.option` names it. */
  InvalidOption: 'ERR_INVALID_OPTION',
  /** A method argument is invalid; `err.argument` names it. */
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  /** The store was closed with `close()`. */
  StoreClosed: 'ERR_STORE_CLOSED',
  /** The backend does not implement this optional method (see its capabilities). */
  NotSupported: 'ERR_NOT_SUPPORTED',
  /**
   * A loaded session could not be saved because other requests kept changing it: every
   * merge-and-retry of the write found the stored copy changed again.
   */
  WriteConflict: 'ERR_WRITE_CONFLICT',
  /** The `userOf` option threw or returned something other than a user name; nothing was written. */
  UserOf: 'ERR_USER_OF',
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error a session store reports. */
export class SessionStoreError extends Error {
  /** Stable machine-readable code, one of {@link ErrorCode}. */
  readonly code: ErrorCodeValue;

  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Stored data under `sid` could not be decoded into a session. */
export class CorruptSessionError extends SessionStoreError {
  /** The id whose stored data is corrupt. */
  readonly sid: string;

  constructor(sid: string, cause?: unknown) {
    super(ErrorCode.CorruptSession, `Stored data for session "${sid}" cannot be decoded`, { cause });
    this.sid = sid;
  }
}

/** A session could not be encoded for storage. */
export class SerializeError extends SessionStoreError {
  constructor(sid: string, cause?: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super(ErrorCode.SerializeFailed, `Session "${sid}" cannot be serialized${reason}`, { cause });
  }
}

/** The backend is down, unreachable, or too slow to answer. */
export class BackendUnavailableError extends SessionStoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.BackendUnavailable, message, options);
  }
}

/** The backend answered with an error that retrying will not fix. */
export class BackendError extends SessionStoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.BackendError, message, options);
  }
}

/** The backend's own configuration prevents the store from working; the message says what to change. */
export class BackendMisconfiguredError extends SessionStoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.BackendMisconfigured, message, options);
  }
}

/** A constructor option is invalid. */
export class InvalidOptionError extends SessionStoreError {
  /** The option at fault, as the user spells it (for example `ttl` or `redis.port`). */
  readonly option: string;

  constructor(option: string, problem: string) {
    super(ErrorCode.InvalidOption, `Invalid option "${option}": ${problem}`);
    this.option = option;
  }
}

/** A method argument is invalid. */
export class InvalidArgumentError extends SessionStoreError {
  /** The argument at fault (for example `sid` or `session`). */
  readonly argument: string;

  constructor(argument: string, problem: string) {
    super(ErrorCode.InvalidArgument, `Invalid argument "${argument}": ${problem}`);
    this.argument = argument;
  }
}

/** The store has been closed; create a new one. */
export class StoreClosedError extends SessionStoreError {
  constructor() {
    super(ErrorCode.StoreClosed, 'The session store has been closed');
  }
}

/** The backend does not implement an optional method. */
export class NotSupportedError extends SessionStoreError {
  constructor(method: string, storeName: string) {
    super(ErrorCode.NotSupported, `${storeName} does not support ${method}()`);
  }
}

/** Other requests kept changing a session while this one tried to save its changes; nothing was written. */
export class WriteConflictError extends SessionStoreError {
  /** The session whose save gave up. */
  readonly sid: string;
  /** How many conditional writes were tried. */
  readonly attempts: number;

  constructor(sid: string, attempts: number) {
    super(
      ErrorCode.WriteConflict,
      `Session "${sid}" was changed by other requests during each of ${attempts} attempts to save it`,
    );
    this.sid = sid;
    this.attempts = attempts;
  }
}

/** The `userOf` option failed on a session being saved: nothing was written, the stored session is as it was. */
export class UserOfError extends SessionStoreError {
  /** The option at fault: always `userOf`. */
  readonly option = 'userOf';
  /** The session whose save failed. */
  readonly sid: string;

  constructor(sid: string, problem: string, cause?: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super(ErrorCode.UserOf, `The userOf option ${problem} for session "${sid}"${reason}; it was not saved`, {
      cause,
    });
    this.sid = sid;
  }
}
