import {
  type LuaScript,
  luaScript,
  MAX_KEYS_PER_COMMAND,
  ScriptReply,
} from '@session-stores/redis-store/connection';

const { Done, Skipped } = ScriptReply;

/**
 * The hash field holding the session's creation time (ms since the epoch, server clock),
 * for `maxLifetime`. User keys starting with `@` are rejected, so it never collides.
 */
export const CREATED_FIELD = '@created';

/**
 * Shared by every script. ARGV[1] is the idle timeout in ms, ARGV[2] the absolute lifetime
 * in ms ('0' = none for either). `expire(k)` sets the key's expiry to the idle timeout,
 * capped by what is left of the lifetime; when the lifetime is over it deletes the key and
 * returns false. Time comes from the server (TIME), so app servers' clocks do not matter.
 */
const PRELUDE = `
local idle, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2])
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function expire(k)
  local ms = idle
  if lifetime > 0 then
    local created = tonumber(redis.call('HGET', k, '${CREATED_FIELD}'))
    if created then
      local left = created + lifetime - now_ms()
      if left <= 0 then
        redis.call('DEL', k)
        return false
      end
      if ms == 0 or left < ms then ms = left end
    end
  end
  if ms > 0 then redis.call('PEXPIRE', k, ms) end
  return true
end
-- unpack() is limited to a few thousand values, so long argument lists go in chunks.
local CHUNK = ${MAX_KEYS_PER_COMMAND}
`;

/**
 * Reads fields, telling in the same round trip whether the hash exists (the check that
 * stops session fixation) and, when ARGV[3] is '1', refreshing its expiry.
 * KEYS[1] the hash; ARGV[4..] the fields. Returns {0} when there is no hash (or its lifetime
 * is over), else {1, value-or-nil, ...}.
 */
export const READ_SCRIPT: LuaScript = luaScript(`${PRELUDE}
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return {0} end
if ARGV[3] == '1' and not expire(key) then return {0} end
local out = {1}
for first = 4, #ARGV, CHUNK do
  local values = redis.call('HMGET', key, unpack(ARGV, first, math.min(first + CHUNK - 1, #ARGV)))
  for i = 1, #values do out[#out + 1] = values[i] end
end
return out
`);

/**
 * Sets and deletes fields and refreshes the expiry, atomically. Setting fields creates the
 * hash (recording its creation time once); deleting never does.
 * KEYS[1] the hash; ARGV[3] '1' when the hash must already exist; ARGV[4] the number n of
 * field/value pairs, which follow; then the fields to delete.
 * Replies Skipped (and changes nothing) when the hash had to exist and does not, or when
 * its lifetime is over (the key is then deleted); else Done.
 */
export const WRITE_SCRIPT: LuaScript = luaScript(`${PRELUDE}
local key = KEYS[1]
if ARGV[3] == '1' and redis.call('EXISTS', key) == 0 then return ${Skipped} end
local pairs_end = 4 + 2 * tonumber(ARGV[4])
for first = 5, pairs_end, CHUNK do
  redis.call('HSET', key, unpack(ARGV, first, math.min(first + CHUNK - 1, pairs_end)))
end
for first = pairs_end + 1, #ARGV, CHUNK do
  redis.call('HDEL', key, unpack(ARGV, first, math.min(first + CHUNK - 1, #ARGV)))
end
if pairs_end > 4 then redis.call('HSETNX', key, '${CREATED_FIELD}', now_ms()) end
if redis.call('EXISTS', key) == 1 and not expire(key) then return ${Skipped} end
return ${Done}
`);

/** Refreshes the expiry of an existing hash. KEYS[1] the hash. Replies Done, or Skipped when there is none. */
export const TOUCH_SCRIPT: LuaScript = luaScript(`${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return ${Skipped} end
if not expire(KEYS[1]) then return ${Skipped} end
return ${Done}
`);

/**
 * Moves the hash to a new id in one atomic step (RENAME keeps the creation time) and
 * refreshes its expiry. KEYS[1] the old hash, KEYS[2] the new one (same server).
 * Replies Done, or Skipped when there was nothing to move.
 */
export const RENAME_SCRIPT: LuaScript = luaScript(`${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return ${Skipped} end
redis.call('RENAME', KEYS[1], KEYS[2])
if not expire(KEYS[2]) then return ${Skipped} end
return ${Done}
`);

/**
 * The first half of a move on Redis Cluster, where the two keys may live on different
 * masters: returns every field and value of the hash and deletes it, or {} when there is
 * none. KEYS[1] the hash. (The caller then writes them under the new id.)
 */
export const TAKE_SCRIPT: LuaScript = luaScript(`
local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return all
`);
