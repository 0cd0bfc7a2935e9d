import { InvalidArgumentError } from './errors';

/** A Node-style callback: `(err)` on failure, `(null, value)` on success. */
export type Callback<T> = (err: unknown, value?: T) => void;

/** Receives an exception thrown by a user's callback. */
export type CallbackErrorHandler = (thrown: unknown) => void;

/** Rethrows outside any promise chain, as an ordinary uncaught exception. */
export const rethrowAsync: CallbackErrorHandler = (thrown) => {
  process.nextTick(() => {
    throw thrown;
  });
};

const ignore = (): void => {};

/**
 * Bridges a promise to an optional callback.
 * - Without a callback the promise is returned. It is marked as handled, so a
 *   caller that fires and forgets (express-session's `destroy(sid)`) never causes
 *   an unhandled rejection; a caller that awaits still sees the error.
 * - With a callback, it runs exactly once, after the promise settles. If the
 *   callback throws, `onCallbackError` receives the exception; the callback is
 *   never called a second time.
 */
export function bridgeCallback<T>(
  promise: Promise<T>,
  callback: Callback<T> | null | undefined,
  onCallbackError: CallbackErrorHandler = rethrowAsync,
): Promise<T> | undefined {
  if (callback == null) {
    promise.catch(ignore);
    return promise;
  }
  if (typeof callback !== 'function') {
    const misuse = promise.then(() =>
      Promise.reject(new InvalidArgumentError('callback', 'expected a function')),
    );
    misuse.catch(ignore);
    return misuse;
  }
  // Inline arrows over a module function rather than a named closure: the build's keepNames
  // gives each named closure a `name` property as it is created (about 2,500 instructions),
  // and this runs for every call express-session makes.
  promise.then(
    (value) => invokeCallback(callback, onCallbackError, null, value),
    (err: unknown) => invokeCallback(callback, onCallbackError, err ?? new Error('Unknown store error')),
  );
  return undefined;
}

/** Calls a user's callback once; what it throws goes to `onCallbackError`. */
function invokeCallback<T>(
  callback: Callback<T>,
  onCallbackError: CallbackErrorHandler,
  err: unknown,
  value?: T,
): void {
  try {
    if (err === null) callback(null, value);
    else callback(err);
  } catch (thrown) {
    onCallbackError(thrown);
  }
}
