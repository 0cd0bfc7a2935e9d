import {
  bridgeCallback,
  type Callback,
  checkUser,
  ErrorCode,
  escapeUserName,
  exceptIds,
  InvalidOptionError,
  optionalInteger,
  optionalString,
  SessionStoreError,
  type StoreIdentity,
} from '@session-stores/core';
import { replyNumber, replyText } from '@session-stores/redis-store/connection';
import type { RedisLink } from './redis-link';
import { type FieldEntry, MISSING, type SessionBackend } from './session-backend';
import { RESERVED_KEY_START } from './session-keys';
import { decodeStored } from './stored-value';

/** The per-user settings: which session key names the user, and the cap. */
export interface UserSessionSettings {
  readonly userKey: string;
  readonly maxSessionsPerUser: number | undefined;
}

/** One session of a user, as `sessionsOf()` lists it. */
export interface UserSessionEntry {
  /** The session id. */
  readonly id: string;
  /** When the session took this user (the login). */
  readonly since: Date;
}

/** `middleware.sessionsOf` and `middleware.destroyAllOf`, with the `userKey` option. */
export interface UserSessionsApi {
  /** The live sessions whose `userKey` holds `user`, oldest login first. */
  sessionsOf(user: string): Promise<UserSessionEntry[]>;
  sessionsOf(user: string, callback: Callback<UserSessionEntry[]>): void;
  /** Ends every session of `user` but `except` (an id or ids); resolves with how many it ended. */
  destroyAllOf(user: string, options?: { except?: string | readonly string[] }): Promise<number>;
  destroyAllOf(user: string, callback: Callback<number>): void;
  destroyAllOf(
    user: string,
    options: { except?: string | readonly string[] } | undefined,
    callback: Callback<number>,
  ): void;
}

/** The session key's value is not a user name: that write failed and stored nothing. */
export class UserKeyError extends SessionStoreError {
  /** The option at fault. */
  readonly option = 'userKey';

  constructor(sid: string, key: string, problem: string) {
    super(
      ErrorCode.UserOf,
      `The userKey option names "${key}", whose new value ${problem} (session "${sid}"); nothing was stored`,
    );
  }
}

/** The largest `maxSessionsPerUser` accepted. */
const MAX_SESSIONS_PER_USER = 1_000_000;

/**
 * Checks `userKey` and `maxSessionsPerUser`; `undefined` without `userKey`.
 * @throws InvalidOptionError naming the option at fault.
 */
export function resolveUserSessionSettings(
  options: Record<string, unknown>,
): UserSessionSettings | undefined {
  const userKey = optionalString(options.userKey, 'userKey');
  const maxSessionsPerUser = optionalInteger(
    options.maxSessionsPerUser,
    'maxSessionsPerUser',
    1,
    MAX_SESSIONS_PER_USER,
  );
  if (userKey === undefined) {
    if (maxSessionsPerUser !== undefined) {
      throw new InvalidOptionError('maxSessionsPerUser', 'needs the userKey option, which names the users');
    }
    return undefined;
  }
  if (userKey.startsWith(RESERVED_KEY_START)) {
    throw new InvalidOptionError('userKey', `keys starting with "${RESERVED_KEY_START}" are reserved`);
  }
  return { userKey, maxSessionsPerUser };
}

/** Where the user index lives: a sorted set per user in Redis, or a map for the test double. */
export interface UserIndexStore {
  /** Files `id` under `user`, joined at `now` (epoch ms); drops members whose session is gone where it can. */
  add(user: string, id: string, now: number): Promise<void>;
  /** Removes ids from `user`'s index. */
  remove(user: string, ids: readonly string[]): Promise<void>;
  /** The ids `user`'s index lists (dead ones included), with when they joined. */
  list(user: string): Promise<Array<{ id: string; since: number }>>;
}

/**
 * Redis: a sorted set at `<prefix>:#user:<escaped user>` (session ids never contain `#`),
 * scored by login time. On one server, adding a member also drops those whose session hash
 * is gone, in the same script; on a Cluster (other slots) they go when the user is listed.
 */
export class RedisUserIndex implements UserIndexStore {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
  ) {}

  async add(user: string, id: string, now: number): Promise<void> {
    const key = this.key(user);
    await this.link.run(key, ['ZADD', key, String(now), id]);
    if (this.link.cluster) return;
    // Few members per user: one EXISTS each, in one script, keeps the set free of dead ones.
    await this.link.run(key, ['EVAL', PRUNE_DEAD_MEMBERS, '1', key, `${this.prefix}:`]);
  }

  async remove(user: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const key = this.key(user);
    await this.link.run(key, ['ZREM', key, ...ids]);
  }

  async list(user: string): Promise<Array<{ id: string; since: number }>> {
    const key = this.key(user);
    const reply = await this.link.run(key, ['ZRANGE', key, '0', '-1', 'WITHSCORES']);
    const items = Array.isArray(reply) ? reply : [];
    const found: Array<{ id: string; since: number }> = [];
    // RESP2 answers [id, score, id, score, ...]; RESP3 (node-redis 6, HELLO 3) [[id, score], ...].
    if (items.length > 0 && Array.isArray(items[0])) {
      for (const pair of items as unknown[][]) {
        found.push({ id: replyText(pair[0]), since: replyNumber(replyText(pair[1])) });
      }
      return found;
    }
    for (let i = 0; i + 1 < items.length; i += 2) {
      found.push({ id: replyText(items[i]), since: replyNumber(replyText(items[i + 1])) });
    }
    return found;
  }

  private key(user: string): string {
    return `${this.prefix}:#user:${escapeUserName(user)}`;
  }
}

/** Lua: removes the members of KEYS[1] whose session hash (ARGV[1] .. id) no longer exists. */
const PRUNE_DEAD_MEMBERS = `
local gone = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then gone[#gone + 1] = id end
end
if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)) end
return #gone
`;

/** The test double's index: a map per user. */
export class MemoryUserIndex implements UserIndexStore {
  private readonly users = new Map<string, Map<string, number>>();

  constructor(private readonly exists: (id: string) => boolean) {}

  async add(user: string, id: string, now: number): Promise<void> {
    let ids = this.users.get(user);
    if (!ids) {
      ids = new Map();
      this.users.set(user, ids);
    }
    ids.set(id, now);
    for (const other of ids.keys()) if (!this.exists(other)) ids.delete(other);
  }

  async remove(user: string, ids: readonly string[]): Promise<void> {
    const held = this.users.get(user);
    for (const id of ids) held?.delete(id);
    if (held?.size === 0) this.users.delete(user);
  }

  async list(user: string): Promise<Array<{ id: string; since: number }>> {
    return [...(this.users.get(user) ?? [])].map(([id, since]) => ({ id, since }));
  }
}

/**
 * A session backend that keeps the user index: a write that sets or deletes the `userKey`
 * field reads the former user first (one more round trip, on logins and logouts only), then
 * moves the id between the two users' indexes once the write is done; a regenerate takes the
 * user along to the new id. Every other call goes straight through.
 */
export class UserIndexedBackend implements SessionBackend, UserSessionsApi {
  readonly identity: StoreIdentity;

  constructor(
    private readonly inner: SessionBackend,
    private readonly index: UserIndexStore,
    private readonly settings: UserSessionSettings,
  ) {
    this.identity = inner.identity;
  }

  read(id: string, fields: readonly string[], refresh: boolean) {
    return this.inner.read(id, fields, refresh);
  }

  touch(id: string) {
    return this.inner.touch(id);
  }

  destroy(id: string) {
    return this.inner.destroy(id);
  }

  async write(
    id: string,
    sets: readonly FieldEntry[],
    removes: readonly string[],
    mustExist: boolean,
  ): Promise<typeof MISSING | undefined> {
    const { userKey } = this.settings;
    const set = sets.find(([field]) => field === userKey);
    if (!set && !removes.includes(userKey)) return this.inner.write(id, sets, removes, mustExist);
    const user = set ? this.userOf(id, set[1]) : undefined;
    const former = await this.storedUser(id);
    const result = await this.inner.write(id, sets, removes, mustExist);
    if (result === MISSING) return result;
    if (former !== undefined && former !== user) await this.index.remove(former, [id]);
    if (user !== undefined && user !== former) {
      await this.index.add(user, id, Date.now());
      await this.enforceCap(user, id);
    }
    return result;
  }

  async rename(from: string, to: string): Promise<boolean> {
    const moved = await this.inner.rename(from, to);
    if (!moved) return moved;
    const user = await this.storedUser(to);
    if (user !== undefined) {
      await this.index.remove(user, [from]);
      await this.index.add(user, to, Date.now());
    }
    return moved;
  }

  sessionsOf(user: string): Promise<UserSessionEntry[]>;
  sessionsOf(user: string, callback: Callback<UserSessionEntry[]>): void;
  sessionsOf(user: string, callback?: Callback<UserSessionEntry[]>): Promise<UserSessionEntry[]> | undefined {
    return bridgeCallback(
      Promise.resolve().then(() => {
        checkUser(user);
        return this.liveSessionsOf(user);
      }),
      callback,
    );
  }

  destroyAllOf(user: string, options?: { except?: string | readonly string[] }): Promise<number>;
  destroyAllOf(user: string, callback: Callback<number>): void;
  destroyAllOf(
    user: string,
    options: { except?: string | readonly string[] } | undefined,
    callback: Callback<number>,
  ): void;
  destroyAllOf(
    user: string,
    optionsOrCallback?: { except?: string | readonly string[] } | Callback<number>,
    callback?: Callback<number>,
  ): Promise<number> | undefined {
    const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
    const done = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    return bridgeCallback(
      Promise.resolve().then(async () => {
        checkUser(user);
        const keep = exceptIds(options);
        const doomed = (await this.liveSessionsOf(user))
          .filter((entry) => !keep.has(entry.id))
          .map((e) => e.id);
        await Promise.all(doomed.map((id) => this.inner.destroy(id)));
        await this.index.remove(user, doomed);
        return doomed.length;
      }),
      done,
    );
  }

  /** The listed sessions still holding `user`; the others leave the index. */
  private async liveSessionsOf(user: string): Promise<UserSessionEntry[]> {
    const listed = await this.index.list(user);
    const owners = await Promise.all(listed.map((entry) => this.storedUser(entry.id)));
    const live: UserSessionEntry[] = [];
    const dead: string[] = [];
    listed.forEach((entry, position) => {
      if (owners[position] === user) live.push({ id: entry.id, since: new Date(entry.since) });
      else dead.push(entry.id);
    });
    await this.index.remove(user, dead);
    return live.sort((a, b) => a.since.getTime() - b.since.getTime());
  }

  /** Ends the user's oldest logins beyond the cap, never `id`. */
  private async enforceCap(user: string, id: string): Promise<void> {
    const max = this.settings.maxSessionsPerUser;
    if (max === undefined) return;
    const live = await this.liveSessionsOf(user);
    if (live.length <= max) return;
    const doomed = live
      .filter((entry) => entry.id !== id)
      .slice(0, live.length - max)
      .map((entry) => entry.id);
    await Promise.all(doomed.map((other) => this.inner.destroy(other)));
    await this.index.remove(user, doomed);
  }

  /** The user a stored session names, without refreshing its expiry; `undefined` for none or a missing session. */
  private async storedUser(id: string): Promise<string | undefined> {
    const { userKey } = this.settings;
    const read = await this.inner.read(id, [userKey], false);
    if (read === MISSING) return undefined;
    const text = read[0];
    if (text === null || text === undefined) return undefined;
    try {
      const value = decodeStored(id, userKey, text);
      return typeof value === 'string' && value !== '' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** The user name a new value of the user key gives, checked. */
  private userOf(id: string, text: string): string {
    const value = decodeStored(id, this.settings.userKey, text);
    if (typeof value !== 'string' || value === '') {
      const got =
        typeof value === 'string'
          ? 'is an empty string'
          : `is ${value === null ? 'null' : `a ${typeof value}`}`;
      throw new UserKeyError(id, this.settings.userKey, `${got}, not a user name (a non-empty string)`);
    }
    return value;
  }
}

/** The API of a middleware built without `userKey`: each call fails, naming the option. */
export const WITHOUT_USER_KEY: UserSessionsApi = {
  sessionsOf(_user: string, callback?: Callback<UserSessionEntry[]>) {
    return bridgeCallback(Promise.reject(missingUserKey('sessionsOf')), callback);
  },
  destroyAllOf(_user: string, optionsOrCallback?: unknown, callback?: Callback<number>) {
    const done = typeof optionsOrCallback === 'function' ? (optionsOrCallback as Callback<number>) : callback;
    return bridgeCallback(Promise.reject(missingUserKey('destroyAllOf')), done);
  },
} as UserSessionsApi;

function missingUserKey(method: string): InvalidOptionError {
  return new InvalidOptionError(
    'userKey',
    `${method}() needs the userKey option, which names each session's user`,
  );
}

/**
 * The backend a middleware uses, and its per-user API: the plain backend and
 * {@link WITHOUT_USER_KEY} without `userKey`, else the indexing wrapper for both.
 */
export function withUserSessions(
  backend: SessionBackend,
  settings: UserSessionSettings | undefined,
  index: () => UserIndexStore,
): { backend: SessionBackend; users: UserSessionsApi } {
  if (!settings) return { backend, users: WITHOUT_USER_KEY };
  const indexed = new UserIndexedBackend(backend, index(), settings);
  return { backend: indexed, users: indexed };
}

/** The two methods, bound, to put on a middleware function. */
export function userSessionMethods(users: UserSessionsApi): UserSessionsApi {
  return {
    sessionsOf: users.sessionsOf.bind(users),
    destroyAllOf: users.destroyAllOf.bind(users),
  } as UserSessionsApi;
}
