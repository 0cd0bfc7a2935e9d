import { escapeGlob } from '@session-stores/core';
import { RespError, type RespReply } from './resp';

/** Anything that can send a command, e.g. a {@link RedisServer}. */
export interface RespCommander {
  command(...args: string[]): Promise<RespReply>;
}

async function deleteKeys(server: RespCommander, keys: string[]): Promise<number> {
  try {
    return Number(await server.command('DEL', ...keys));
  } catch (error) {
    // On a cluster node, keys of one SCAN page may hash to different slots: delete them one by one.
    if (!(error instanceof RespError) || !error.message.startsWith('CROSSSLOT')) throw error;
    let deleted = 0;
    for (const key of keys) deleted += Number(await server.command('DEL', key));
    return deleted;
  }
}

/**
 * Deletes every key starting with `prefix` with SCAN + DEL (never FLUSHDB), so tests can clean up
 * after themselves on a shared server. On a cluster, call it once per master.
 * @returns how many keys were deleted.
 */
export async function deleteByPrefix(server: RespCommander, prefix: string): Promise<number> {
  // An empty prefix would match every key on a server that may not be ours.
  if (!prefix) throw new Error('deleteByPrefix needs a non-empty prefix');
  const pattern = `${escapeGlob(prefix)}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const reply = await server.command('SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000');
    if (!Array.isArray(reply) || typeof reply[0] !== 'string' || !Array.isArray(reply[1])) {
      throw new Error(`unexpected SCAN reply: ${JSON.stringify(reply)}`);
    }
    cursor = reply[0];
    const keys = reply[1].filter((k): k is string => typeof k === 'string');
    if (keys.length) deleted += await deleteKeys(server, keys);
  } while (cursor !== '0');
  return deleted;
}
