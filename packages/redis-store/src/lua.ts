import { createHash } from 'node:crypto';
import { isNoScript } from './errors';

/** A Lua script and its SHA1, so its body travels to a server only once. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** SHA1 (hex) of text as Redis sees it (its UTF-8 bytes), as EVALSHA and `redis.sha1hex` compute it. */
export function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Wraps Lua source with its SHA1 (the name EVALSHA knows it by). */
export function luaScript(source: string): LuaScript {
  return { source, sha: sha1Hex(source) };
}

/**
 * Runs a script with EVALSHA, and with EVAL when the server answers NOSCRIPT (first use,
 * a restart, SCRIPT FLUSH). With `cached: false` (the caller knows this connection has
 * not run it yet) it starts with EVAL: a NOSCRIPT retry goes out after the reply, so
 * commands sent meanwhile on the same connection would overtake the script.
 * `send` gets the whole command; route it by `keys[0]` where that matters.
 */
export async function runScript(
  send: (args: string[]) => Promise<unknown>,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly string[],
  cached = true,
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  if (!cached) return send(['EVAL', lua.source, ...tail]);
  try {
    return await send(['EVALSHA', lua.sha, ...tail]);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    return send(['EVAL', lua.source, ...tail]);
  }
}
