import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  InvalidArgumentError,
  InvalidOptionError,
  isPlainObject,
  optionalString,
  rejectUnknownKeys,
} from '@session-stores/core';
import { applyChanges, loadPresent, Session } from './session';
import type { AltSessionHandler } from './session-handler';
import { checkKey } from './session-keys';
import { encodeStored } from './stored-value';

/** Options of {@link bridge}. */
export interface BridgeOptions {
  /** The session keys the routes behind the bridge use synchronously. */
  keys: readonly string[];
  /** Where the plain object of loaded values goes on the request. Default `'sessionData'`. */
  property?: string | undefined;
}

type Save = () => Promise<void> | undefined;

function checkBridgeKeys(keys: unknown): string[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new InvalidOptionError('keys', 'expected a non-empty array of session keys');
  }
  return keys.map((key: unknown, index) => {
    const name = `keys[${index}]`;
    try {
      checkKey(key, name);
    } catch (err) {
      throw new InvalidOptionError(name, (err as Error).message);
    }
    // Each key becomes a property of req.session: it must not hide a method or a built-in.
    if ((key as string) in Session.prototype || key === 'id' || key === 'isNew' || key === 'then') {
      throw new InvalidOptionError(name, `"${String(key)}" is a member of req.session; rename the key`);
    }
    return key as string;
  });
}

/**
 * Holds back `res.end()` until `save` has stored the changes, as express-session does, so
 * the next request of the same client reads them. A failed save goes to `next(err)` instead
 * of the response.
 */
function saveBeforeEnd(res: ServerResponse, save: Save, next: (err?: unknown) => void): void {
  const end = res.end;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    res.end = end;
    let pending: Promise<void> | undefined;
    try {
      pending = save();
    } catch (err) {
      pending = Promise.reject(err);
    }
    const finish = () => (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    if (pending === undefined) return finish();
    pending.then(finish, (err: unknown) => next(err));
    return this;
  } as ServerResponse['end'];
}

/**
 * A middleware for routes written against a synchronous `req.session` (express-session
 * style). Mounted after {@link altSession} (or its mock), before the routes, it:
 * - loads `keys` in one round trip (an HMGET) into a plain object at `req[property]`, and
 *   makes each key a read/write property of `req.session` too (`req.session.user`);
 * - when the response ends, stores only the keys whose value changed (compared as stored
 *   JSON, so in-place edits such as `cart.push(x)` count), and deletes those set to
 *   `undefined` or deleted, in one atomic round trip; no change, no command. The response
 *   waits for that write; if it fails, the error goes to `next(err)`. A response with a 5xx
 *   status (a route that threw gets Express's 500) stores nothing.
 * Other properties added to the object are not stored. Values stay JSON (with Dates).
 * @throws InvalidOptionError for invalid keys, or keys that would hide a `req.session` member.
 */
export function bridge(options: BridgeOptions): AltSessionHandler {
  if (!isPlainObject(options)) throw new InvalidOptionError('options', 'expected { keys: [...] }');
  rejectUnknownKeys(options, ['keys', 'property'], '');
  const keys = [...new Set(checkBridgeKeys(options.keys))];
  const property = optionalString(options.property, 'property') ?? 'sessionData';
  return function altSessionBridge(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) {
    const session = (req as IncomingMessage & { session?: unknown }).session;
    if (!(session instanceof Session)) {
      next(
        new InvalidArgumentError(
          'req.session',
          'mount altSession() (or altSession.mock()) before altSession.bridge()',
        ),
      );
      return;
    }
    session[loadPresent](keys).then((found) => {
      const data: Record<string, unknown> = {};
      const loaded = new Map<string, string>();
      for (const [key, value] of found) {
        data[key] = value;
        loaded.set(key, encodeStored(session.id, key, value));
      }
      (req as unknown as Record<string, unknown>)[property] = data;
      for (const key of keys) {
        Object.defineProperty(session, key, {
          get: () => data[key],
          set: (value: unknown) => {
            data[key] = value;
          },
          enumerable: true,
          configurable: true,
        });
      }
      saveBeforeEnd(
        res,
        () => {
          // A failed request (the route threw, so Express answers 500, or it answered 5xx
          // itself) stores none of its changes, rather than the half made before it failed.
          if (res.statusCode >= 500) return undefined;
          const sets: Array<readonly [string, unknown]> = [];
          const removes: string[] = [];
          for (const key of keys) {
            const value = Object.hasOwn(data, key) ? data[key] : undefined;
            const before = loaded.get(key);
            if (value === undefined) {
              if (before !== undefined) removes.push(key);
            } else if (encodeStored(session.id, key, value) !== before) {
              sets.push([key, value]);
            }
          }
          return sets.length === 0 && removes.length === 0 ? undefined : session[applyChanges](sets, removes);
        },
        next,
      );
      next();
    }, next);
  };
}
