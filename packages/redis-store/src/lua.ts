import * as crypto from 'node:crypto';
import { isNoScript } from './errors';

/** A Lua script and its SHA1, so its body travels to a server only once. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** SHA1 (hex) of text as Redis sees it (its UTF-8 bytes), as EVALSHA and `redis.sha1hex` compute it. */
export function sha1Hex(text: string): string {
  return oneShotHash === undefined
    ? crypto.createHash('sha1').update(text, 'utf8').digest('hex')
    : oneShotHash('sha1', text, 'hex');
}

/**
 * `crypto.hash` (Node 20.12+, 21.7+): a one-shot digest without a Hash object, which the
 * conditional save runs once per save; older Node versions use `createHash`.
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

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
export function runScript(
  send: (args: string[]) => Promise<unknown>,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly string[],
  cached = true,
): Promise<unknown> {
  // One array per call (EVALSHA's), built in place: this is on every save's and touch's path.
  const command = new Array<string>(3 + keys.length + args.length);
  command[0] = cached ? 'EVALSHA' : 'EVAL';
  command[1] = cached ? lua.sha : lua.source;
  command[2] = String(keys.length);
  for (let i = 0; i < keys.length; i++) command[3 + i] = keys[i] as string;
  for (let i = 0; i < args.length; i++) command[3 + keys.length + i] = args[i] as string;
  let sent: Promise<unknown>;
  try {
    sent = send(command);
  } catch (err) {
    return Promise.reject(err);
  }
  if (!cached) return sent;
  return sent.then(undefined, (err: unknown) => {
    if (!isNoScript(err)) throw err;
    const retry = command.slice();
    retry[0] = 'EVAL';
    retry[1] = lua.source;
    return send(retry);
  });
}
