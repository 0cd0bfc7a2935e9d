import type { StoreIdentity } from '@session-stores/core';
import { type FieldEntry, MISSING, SESSION_STORE_NAME, type SessionBackend } from './session-backend';
import type { LifetimeSettings } from './session-settings';

interface Hash {
  readonly fields: Map<string, string>;
  /** Creation time in ms, for the absolute lifetime (a field of the hash in Redis). */
  readonly created: number;
  /** When the hash expires (ms since the epoch), or undefined for never. */
  expiresAt: number | undefined;
}

/**
 * Session hashes in memory, for the test double: the same rules as the Redis scripts
 * (existence checks, idle timeout capped by the lifetime, creation only by setting a field),
 * on the process clock. One instance per mock middleware or test session: nothing is shared
 * between instances. Values are kept as their encoded text, so callers never share objects.
 */
export class MemoryBackend implements SessionBackend {
  private readonly hashes = new Map<string, Hash>();
  readonly identity: StoreIdentity;

  /** @param now the clock, replaceable in tests of the test double itself. */
  constructor(
    private readonly lifetime: LifetimeSettings & { readonly prefix?: string },
    private readonly now: () => number = Date.now,
  ) {
    this.identity = { store: SESSION_STORE_NAME, backend: 'memory', prefix: lifetime.prefix ?? '' };
  }

  async read(
    id: string,
    fields: readonly string[],
    refresh: boolean,
  ): Promise<Array<string | null> | typeof MISSING> {
    const hash = this.live(id);
    if (!hash || (refresh && !this.expire(id, hash))) return MISSING;
    return fields.map((field) => hash.fields.get(field) ?? null);
  }

  async write(
    id: string,
    sets: readonly FieldEntry[],
    removes: readonly string[],
    mustExist: boolean,
  ): Promise<typeof MISSING | undefined> {
    let hash = this.live(id);
    if (!hash) {
      if (mustExist) return MISSING;
      if (sets.length === 0) return undefined;
      this.sweep();
      hash = { fields: new Map(), created: this.now(), expiresAt: undefined };
      this.hashes.set(id, hash);
    }
    for (const [field, text] of sets) hash.fields.set(field, text);
    for (const field of removes) hash.fields.delete(field);
    return this.expire(id, hash) ? undefined : MISSING;
  }

  async touch(id: string): Promise<boolean> {
    const hash = this.live(id);
    return hash !== undefined && this.expire(id, hash);
  }

  async destroy(id: string): Promise<void> {
    this.hashes.delete(id);
  }

  async rename(from: string, to: string): Promise<boolean> {
    const hash = this.live(from);
    if (!hash) return false;
    this.hashes.delete(from);
    this.hashes.set(to, hash);
    return this.expire(to, hash);
  }

  /** The stored texts of a live session, or undefined; for the test double's `snapshot()`. */
  entries(id: string): ReadonlyMap<string, string> | undefined {
    return this.live(id)?.fields;
  }

  /** How many sessions are stored and not expired. */
  size(): number {
    this.sweep();
    return this.hashes.size;
  }

  /** Seeds a session with encoded fields, as if it had been stored earlier. */
  seed(id: string, sets: readonly FieldEntry[]): void {
    const hash: Hash = { fields: new Map(sets), created: this.now(), expiresAt: undefined };
    this.hashes.set(id, hash);
    this.expire(id, hash);
  }

  private live(id: string): Hash | undefined {
    const hash = this.hashes.get(id);
    if (hash?.expiresAt !== undefined && hash.expiresAt <= this.now()) {
      this.hashes.delete(id);
      return undefined;
    }
    return hash;
  }

  /** The Redis scripts' `expire()`: idle timeout, capped by the lifetime; false (and deleted) once it is over. */
  private expire(id: string, hash: Hash): boolean {
    const now = this.now();
    let ms = this.lifetime.ttiMs;
    if (this.lifetime.maxLifetimeMs > 0) {
      const left = hash.created + this.lifetime.maxLifetimeMs - now;
      if (left <= 0) {
        this.hashes.delete(id);
        return false;
      }
      if (ms === 0 || left < ms) ms = left;
    }
    if (ms > 0) hash.expiresAt = now + ms;
    return true;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, hash] of this.hashes) {
      if (hash.expiresAt !== undefined && hash.expiresAt <= now) this.hashes.delete(id);
    }
  }
}
