import { randomBytes } from 'node:crypto';
import type { SessionData } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The id the session was created under: lets every read check it got the right session back. */
    owner: string;
    user: { id: number; name: string; email: string; roles: string[] };
    csrfSecret: string;
    cart: Array<{ sku: string; qty: number }>;
    lastSeen: number;
    hits: number;
  }
}

/** One session of the benchmark: its id, the object given to `set`, its JSON, and a touched copy. */
export interface SessionItem {
  readonly id: string;
  readonly session: SessionData;
  /** `JSON.stringify(session)`, precomputed: what the raw clients write. */
  readonly json: string;
  /** The same session with a later `cookie.expires`, as express-session passes it to `touch`. */
  readonly touched: SessionData;
}

const DAY_MS = 86_400_000;

/**
 * A session id like express-session's own (24 random bytes, base64url: 32 characters), except
 * that it never starts with `_`: express-session makes one such id in 64, and PouchDB refuses
 * them, which kills session-pouchdb-store's commit loop for good (its `underscore-id` check
 * shows it). Every subject gets the same ids.
 */
export function newSessionId(): string {
  for (;;) {
    const id = randomBytes(24).toString('base64url');
    if (!id.startsWith('_')) return id;
  }
}

/**
 * A session shaped like the ones express-session hands to stores: a cookie with
 * `originalMaxAge`, `expires` (a Date), `httpOnly`, `path`, plus about 300 bytes of app data,
 * for about 400 bytes of JSON.
 */
export function makeSession(id: string, index: number, now = Date.now()): SessionData {
  return {
    cookie: {
      originalMaxAge: DAY_MS,
      expires: new Date(now + DAY_MS),
      secure: false,
      httpOnly: true,
      path: '/',
      sameSite: 'lax',
    },
    owner: id,
    user: {
      id: 100_000 + index,
      name: `User Number ${index}`,
      email: `user.${index}@example.com`,
      roles: ['reader', 'editor'],
    },
    csrfSecret: randomBytes(18).toString('base64url'),
    cart: [
      { sku: 'SKU-000123', qty: 1 },
      { sku: 'SKU-004567', qty: 2 },
    ],
    lastSeen: now,
    hits: 0,
  } as SessionData;
}

/** Builds `count` sessions with fresh ids. */
export function makeItems(count: number, now = Date.now()): SessionItem[] {
  const items: SessionItem[] = [];
  for (let i = 0; i < count; i++) {
    const id = newSessionId();
    const session = makeSession(id, i, now);
    const touched = {
      ...session,
      cookie: { ...session.cookie, expires: new Date(now + DAY_MS + 3_600_000) },
    };
    items.push({ id, session, json: JSON.stringify(session), touched: touched as SessionData });
  }
  return items;
}

/** Average JSON size of the items, in bytes. */
export function averageBytes(items: readonly SessionItem[]): number {
  if (items.length === 0) return 0;
  let total = 0;
  for (const item of items) total += Buffer.byteLength(item.json);
  return Math.round(total / items.length);
}
