import type { RequestHandler } from 'express';
import type expressSession from 'express-session';
import type { SessionOptions } from 'express-session';
import type { OptionalMethod, StoreCapabilities } from '../capabilities';
import type { SessionData } from '../session-data';
import type { SessionStore } from '../session-store';
import { type HttpModuleName, httpModule, locateHttpModule } from './http-modules';
import { PlainStoreAdapter } from './plain-store';
import type { ConformanceInspect, ConformanceTarget } from './types';

/** A session as express-session stores it: a cookie expiring in `maxAgeMs`, plus `data`. */
export function makeSession(data: Record<string, unknown> = {}, maxAgeMs = 60_000): SessionData {
  const cookie = {
    originalMaxAge: maxAgeMs,
    expires: new Date(Date.now() + maxAgeMs),
    httpOnly: true,
    path: '/',
  };
  return { cookie, ...data } as unknown as SessionData;
}

/** The store express-session and @fastify/session are given: a plain store itself, not the kit's wrapper. */
export function storeForFrameworks(store: SessionStore): SessionStore {
  const wrapper = store as unknown;
  return wrapper instanceof PlainStoreAdapter ? (wrapper.raw as unknown as SessionStore) : store;
}

/**
 * express-session as the kit's HTTP cases use it: `resave: false`, `saveUninitialized: false`,
 * a one-minute cookie. It is the store's own copy of express-session where the command line
 * found one next to the store.
 */
export function kitSession(store: SessionStore, overrides: Partial<SessionOptions> = {}): RequestHandler {
  const session = httpModule<typeof expressSession>('express-session');
  return session({
    store: storeForFrameworks(store),
    secret: 'conformance-kit-secret',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 60_000 },
    ...overrides,
  });
}

/** A session whose cookie sets no expiry (a browser-session cookie). */
export function makeBrowserSession(data: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' },
    ...data,
  } as unknown as SessionData;
}

/** Reads a field of a session returned by a store. */
export function field(session: SessionData | null | undefined, name: string): unknown {
  return session ? (session as unknown as Record<string, unknown>)[name] : undefined;
}

/** The stored cookie's expiry in epoch ms (accepts a Date or an ISO string). */
export function storedExpiry(session: SessionData | null): number | undefined {
  const expires = (session?.cookie as { expires?: unknown } | undefined)?.expires;
  if (expires instanceof Date || typeof expires === 'string') return new Date(expires).getTime();
  return undefined;
}

/** Waits `ms` of real time. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets `turns` rounds of the event loop pass (timers, I/O and `process.nextTick` callbacks included). */
export async function eventLoopTurns(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * Like `Promise.all`, but settles only once every call has: a case that fails leaves
 * nothing in flight to slow down or fail the next one. Rejects with the first failure.
 */
export async function allCalls<T>(calls: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(calls);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** Captures a rejection as a value, so a case can assert on it. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

type Requirement = (
  capabilities: StoreCapabilities,
  inspect: ConformanceInspect,
  target: ConformanceTarget,
) => string | undefined;

/**
 * A case requirement: a store built on core. `what` names what a plain express-session
 * store lacks ("core options", "typed errors"), so the case reads as not offered.
 */
export const needsCore =
  (what: string): Requirement =>
  (_capabilities, _inspect, target) =>
    target?.plain ? `a plain express-session store has no ${what}` : undefined;

/** Why a plain-store variant does not run for a store built on core; such a case is not even listed for one. */
export const PLAIN_VARIANT = 'checked in its stricter form for stores built on core';

/** A case requirement: a plain express-session store (the case checks what core guarantees otherwise). */
export const needsPlain: Requirement = (_capabilities, _inspect, target) =>
  target?.plain ? undefined : PLAIN_VARIANT;

/** A case requirement: the HTTP libraries the case drives are installed (next to the store, or the kit). */
export const needsModules =
  (...names: HttpModuleName[]): Requirement =>
  () => {
    const missing = names.filter((name) => !locateHttpModule(name));
    return missing.length > 0
      ? `${missing.join(', ')} not installed (npm i -D ${missing.join(' ')})`
      : undefined;
  };

/** A case requirement: the listed optional methods. */
export const needsMethods =
  (...methods: OptionalMethod[]): Requirement =>
  (capabilities) => {
    const missing = methods.filter((method) => !capabilities.methods[method]);
    return missing.length > 0 ? `store declares no ${missing.join(', ')}()` : undefined;
  };

/** A case requirement: the listed inspect hooks. */
export const needsInspect =
  (...hooks: (keyof ConformanceInspect)[]): Requirement =>
  (_capabilities, inspect) => {
    const missing = hooks.filter((hook) => typeof inspect[hook] !== 'function');
    return missing.length > 0 ? `no inspect.${missing.join(', inspect.')} hook given to the kit` : undefined;
  };

/** Combines requirements; the first unmet one gives the reason. */
export const allOf =
  (...requirements: Requirement[]): Requirement =>
  (capabilities, inspect, target) => {
    for (const requirement of requirements) {
      const reason = requirement(capabilities, inspect, target);
      if (reason) return reason;
    }
    return undefined;
  };
