// Deliberately broken stores. Each breaks one promise of the contract; the kit's
// self-test checks that the group guarding that promise catches it.
import {
  type Callback,
  type ConditionalWriteResult,
  MemoryStore,
  type SessionData,
  type UserSession,
  type WriteTtl,
} from '../../src';

/** Stores sessions with no expiry, whatever the cookie says. */
export class IgnoresTtlStore extends MemoryStore {
  protected override writeSession(sid: string, session: SessionData, _ttl: WriteTtl): Promise<void> {
    return super.writeSession(sid, session, { kind: 'never' });
  }
}

/** Writes sessions whose cookie has already expired instead of deleting them. */
export class StoresExpiredStore extends MemoryStore {
  override set(sid: string, session: SessionData): Promise<void>;
  override set(sid: string, session: SessionData, callback: (err?: unknown) => void): void;
  override set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> | undefined {
    const write = this.writeSession(sid, session, {
      kind: 'expire',
      ms: 60_000,
      seconds: 60,
      at: Date.now() + 60_000,
    });
    if (!callback) return write;
    write.then(() => callback(null), callback);
    return undefined;
  }
}

/** touch() resolves but changes nothing. */
export class TouchDoesNothingStore extends MemoryStore {
  protected override async refreshSession(): Promise<void> {}
}

/** touch() writes the session even when it does not exist. */
export class TouchCreatesStore extends MemoryStore {
  protected override refreshSession(sid: string, session: SessionData, ttl: WriteTtl): Promise<void> {
    return this.writeSession(sid, session, ttl);
  }
}

/** Matches its prefix as an unescaped glob, as connect-redis does: `a*` also owns `ab…` keys. */
export class GlobPrefixStore extends MemoryStore {
  protected override async *scanIds(): AsyncIterable<string[]> {
    const glob = this.prefix
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    const pattern = new RegExp(`^${glob}`);
    yield [...this.database.keys()]
      .filter((key) => pattern.test(key))
      .map((key) => key.slice(this.prefix.length));
  }

  protected override async removeSession(sid: string): Promise<void> {
    this.database.delete(this.prefix + sid);
    // The real bug deletes the matched keys as they were scanned, prefix or not.
    for (const key of this.database.keys()) {
      if (key.startsWith(this.prefix.replace(/[*?[\]]/g, '')) && key.endsWith(sid)) this.database.delete(key);
    }
  }
}

/** Ignores the prefix: every store sees every session. */
export class NoPrefixStore extends MemoryStore {
  protected override key(sid: string): string {
    return `shared:${sid}`;
  }
}

/** Serializes Dates as epoch numbers, so cookie.expires comes back as a number. */
export class LosesDatesStore extends MemoryStore {
  constructor(options: ConstructorParameters<typeof MemoryStore>[0] = {}) {
    super({
      ...options,
      serializer: {
        stringify: (session) =>
          JSON.stringify(session, function (this: Record<string, unknown>, key, value) {
            const raw = this[key];
            return raw instanceof Date ? raw.getTime() : value;
          }),
        parse: (text) => JSON.parse(text),
      },
    });
  }
}

/** Hands out the cached object itself, so callers mutate the stored session. */
export class SharesObjectsStore extends MemoryStore {
  private readonly cache = new Map<string, SessionData>();

  protected override async readSession(sid: string): Promise<SessionData | null> {
    const cached = this.cache.get(sid);
    if (cached) return cached;
    const loaded = await super.readSession(sid);
    if (loaded) this.cache.set(sid, loaded);
    return loaded;
  }

  protected override async writeSession(sid: string, session: SessionData, ttl: WriteTtl): Promise<void> {
    this.cache.delete(sid);
    await super.writeSession(sid, session, ttl);
  }
}

/** Calls get's callback twice on every success. */
export class CallsTwiceStore extends MemoryStore {
  override get(sid: string): Promise<SessionData | null>;
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void;
  override get(
    sid: string,
    callback?: Callback<SessionData | null>,
  ): Promise<SessionData | null> | undefined {
    const read = this.readSession(sid);
    if (!callback) return read;
    read.then(
      (value) => {
        callSafely(() => callback(null, value));
        callSafely(() => callback(null, value));
      },
      (err) => callSafely(() => callback(err)),
    );
    return undefined;
  }
}

/** Calls get's callback a second time, with the exception, when the callback throws (connect-redis's bug). */
export class CallsAgainOnThrowStore extends MemoryStore {
  override get(sid: string): Promise<SessionData | null>;
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void;
  override get(
    sid: string,
    callback?: Callback<SessionData | null>,
  ): Promise<SessionData | null> | undefined {
    const read = this.readSession(sid);
    if (!callback) return read;
    read.then((value) => {
      try {
        callback(null, value);
      } catch (err) {
        callSafely(() => callback(err));
      }
    }, callback);
    return undefined;
  }
}

function callSafely(call: () => void): void {
  try {
    call();
  } catch {
    // The broken store swallows what the callback throws, so only its double call is under test.
  }
}

/** Throws synchronously on a bad id instead of reporting the error. */
export class ThrowsSynchronouslyStore extends MemoryStore {
  override get(sid: string): Promise<SessionData | null>;
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void;
  override get(
    sid: string,
    callback?: Callback<SessionData | null>,
  ): Promise<SessionData | null> | undefined {
    if (typeof sid !== 'string' || sid === '') throw new TypeError('sid must be a string');
    if (callback) return void super.get(sid, callback);
    return super.get(sid);
  }
}

/** Returns raw, undecodable data as if it were a session instead of reporting it. */
export class SwallowsCorruptStore extends MemoryStore {
  protected override async readSession(sid: string): Promise<SessionData | null> {
    const entry = this.database.read(this.key(sid));
    if (!entry) return null;
    try {
      return JSON.parse(entry.text);
    } catch {
      return { raw: entry.text } as unknown as SessionData;
    }
  }
}

/**
 * Writes a session in two steps. Later writers finish their second step first, so
 * parallel writers always leave the first half of the last one with the second
 * half of another: a torn record.
 */
export class TornWritesStore extends MemoryStore {
  private started = 0;

  protected override async writeSession(sid: string, session: SessionData, ttl: WriteTtl): Promise<void> {
    const order = this.started++;
    const entries = Object.entries(session);
    const half = Math.ceil(entries.length / 2);
    const before = (await this.readSession(sid).catch(() => null)) ?? {};
    await super.writeSession(
      sid,
      { ...before, ...Object.fromEntries(entries.slice(0, half)) } as SessionData,
      ttl,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, 300 - order)));
    const current = (await this.readSession(sid).catch(() => null)) ?? {};
    await super.writeSession(
      sid,
      { ...current, ...Object.fromEntries(entries.slice(half)) } as SessionData,
      ttl,
    );
  }
}

/** close() releases nothing and stays silent. */
export class SilentCloseStore extends MemoryStore {
  override async close(): Promise<void> {}
}

/** Announces its first connection a tick after construction, undoing a `disconnect` heard meanwhile. */
export class AnnouncesFirstConnectStore extends MemoryStore {
  constructor(...args: ConstructorParameters<typeof MemoryStore>) {
    super(...args);
    process.nextTick(() => this.emit('connect'));
  }
}

/** Says `disconnect` when its connection drops, but nothing when it is back. */
export class SilentReconnectStore extends MemoryStore {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    return event === 'connect' ? false : super.emit(event, ...args);
  }
}

/** destroy() resolves but deletes nothing. */
export class DestroyDoesNothingStore extends MemoryStore {
  protected override async removeSession(): Promise<void> {}
}

/** Declares conditional writes but writes over whatever is stored: the last save wins and a logout comes back. */
export class OverwritesStore extends MemoryStore {
  protected override async writeSessionIf(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
  ): Promise<ConditionalWriteResult> {
    await this.writeSession(sid, session, ttl);
    return { version: Symbol('unchecked') };
  }
}

/** Lists what its user index holds without checking the sessions: destroyed and expired ones too. */
export class ListsDestroyedStore extends MemoryStore {
  override sessionsOf(user: string): Promise<UserSession[]>;
  override sessionsOf(user: string, callback: (err: unknown, sessions?: UserSession[]) => void): void;
  override sessionsOf(user: string, callback?: Callback<UserSession[]>): Promise<UserSession[]> | undefined {
    const listed = this.userSessionIds(user).then((ids) =>
      ids.map((id) => ({ id, session: { cookie: {} } as SessionData, expires: null })),
    );
    if (!callback) return listed;
    listed.then((sessions) => callback(null, sessions), callback);
    return undefined;
  }

  protected override async removeSession(sid: string): Promise<void> {
    // The index keeps the id, as a backend that forgets its index on delete would.
    const entry = this.database.peek(this.key(sid));
    if (entry) this.database.write(this.key(sid), { text: entry.text, expiresAt: Date.now() - 1 });
  }
}
