import { BackendError, type StoreIdentity } from '@session-stores/core';
import {
  type LuaScript,
  replyNumber,
  replyText,
  runScript,
  ScriptReply,
} from '@session-stores/redis-store/connection';
import type { RedisLink } from './redis-link';
import { type FieldEntry, MISSING, SESSION_STORE_NAME, type SessionBackend } from './session-backend';
import { READ_SCRIPT, RENAME_SCRIPT, TAKE_SCRIPT, TOUCH_SCRIPT, WRITE_SCRIPT } from './session-scripts';
import type { LifetimeSettings } from './session-settings';

/** Session hashes in Redis, one `<prefix>:<id>` hash per session, each method one script (one round trip). */
export class RedisBackend implements SessionBackend {
  /** ARGV[1..2] of every script: idle timeout and lifetime in ms. */
  private readonly timing: readonly string[];
  readonly identity: StoreIdentity;

  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
    lifetime: LifetimeSettings,
  ) {
    this.timing = [String(lifetime.ttiMs), String(lifetime.maxLifetimeMs)];
    this.identity = { store: SESSION_STORE_NAME, backend: 'redis', prefix };
  }

  async read(
    id: string,
    fields: readonly string[],
    refresh: boolean,
  ): Promise<Array<string | null> | typeof MISSING> {
    const reply = await this.script(READ_SCRIPT, [this.key(id)], [refresh ? '1' : '0', ...fields]);
    if (!Array.isArray(reply)) throw unexpected('read', reply);
    if (replyNumber(reply[0]) === 0) return MISSING;
    return fields.map((_, index) => {
      const value = reply[index + 1];
      return value == null ? null : replyText(value);
    });
  }

  async write(
    id: string,
    sets: readonly FieldEntry[],
    removes: readonly string[],
    mustExist: boolean,
  ): Promise<typeof MISSING | undefined> {
    const args = [mustExist ? '1' : '0', String(sets.length), ...sets.flat(), ...removes];
    const reply = await this.script(WRITE_SCRIPT, [this.key(id)], args);
    return replyNumber(reply) === ScriptReply.Done ? undefined : MISSING;
  }

  async touch(id: string): Promise<boolean> {
    return replyNumber(await this.script(TOUCH_SCRIPT, [this.key(id)], [])) === ScriptReply.Done;
  }

  async destroy(id: string): Promise<void> {
    const key = this.key(id);
    await this.link.run(key, ['DEL', key]);
  }

  async rename(from: string, to: string): Promise<boolean> {
    if (!this.link.cluster) {
      return (
        replyNumber(await this.script(RENAME_SCRIPT, [this.key(from), this.key(to)], [])) === ScriptReply.Done
      );
    }
    // The two keys may be on different masters: take the fields (deleting the old hash
    // first, so the old id can never be used again), then store them under the new id.
    const taken = await this.script(TAKE_SCRIPT, [this.key(from)], []);
    if (!Array.isArray(taken)) throw unexpected('rename', taken);
    if (taken.length === 0) return false;
    const entries: FieldEntry[] = [];
    for (let i = 0; i + 1 < taken.length; i += 2)
      entries.push([replyText(taken[i]), replyText(taken[i + 1])]);
    return (await this.write(to, entries, [], false)) === undefined;
  }

  private key(id: string): string {
    return `${this.prefix}:${id}`;
  }

  private script(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const route = keys[0] as string;
    return this.link.run(route, (send) =>
      runScript((command) => send(route, command), script, keys, [...this.timing, ...args]),
    );
  }
}

function unexpected(what: string, reply: unknown): BackendError {
  return new BackendError(`alt-session-async: unexpected ${what} reply from Redis: ${String(reply)}`);
}
