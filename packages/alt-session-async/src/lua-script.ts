import { createHash } from 'node:crypto';
import { isNoScript } from '@session-stores/redis-store/connection';

/** A Lua script and its SHA1, so it is sent in full only once per server. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** Wraps Lua source with its SHA1 (what EVALSHA names it by). */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Runs a script with EVALSHA, and with EVAL when the server does not know it yet (first
 * use, a restart, SCRIPT FLUSH). `send` routes by the first key.
 */
export async function evalScript(
  send: (key: string, args: string[]) => Promise<unknown>,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  const route = keys[0] ?? '';
  try {
    return await send(route, ['EVALSHA', script.sha, ...tail]);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    return send(route, ['EVAL', script.source, ...tail]);
  }
}
