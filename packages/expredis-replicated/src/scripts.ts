import {
  INDEX_SESSION,
  ScriptReply,
  SET_WITH_TTL,
  luaScript as script,
} from '@session-stores/redis-store/connection';
import { LUA_HEADER_PATTERN } from './envelope';

// Replies are redis-store's ScriptReply codes, and touch's compare-and-set is its COMPARE_AND_SET.

// Every script reads the header with the same pattern as envelope.ts.
const HEADER = `'${LUA_HEADER_PATTERN}'`;

/**
 * Read repair: writes a copy only where it is newer than what the replica holds.
 * KEYS[1] the key; ARGV[1] the copy's version; ARGV[2] the copy; ARGV[3] TTL in ms or ''.
 * A missing key counts as older than anything, a legacy value as version 0, and a
 * tombstone by its version: so a repair that lost the race against a destroy is refused.
 * A key of another Redis type is left alone. No reply: the repair does not read one.
 */
export const SET_IF_NEWER = script(`${SET_WITH_TTL}
local current = redis.pcall('GET', KEYS[1])
if type(current) == 'table' then return end
if current then
  local version = string.match(current, ${HEADER})
  local held = 0
  if version then held = tonumber(version) end
  if held >= tonumber(ARGV[1]) then return end
end
set_with_ttl(KEYS[1], ARGV[2], ARGV[3])
`);

/**
 * Conditional write (core's overlapping-requests protection): writes the copy only where
 * the server still holds the version the request loaded, and then, with `userOf`, files the
 * session in the user indexes (redis-store's index_session) in the same script.
 * KEYS[1] the key, then the index keys ARGV[7] names; ARGV[1] the version loaded (0 for a
 * legacy value); ARGV[2] the new copy; ARGV[3] TTL in ms or ''; ARGV[4..7] the id, its
 * expiry, now and which index keys follow (see INDEX_SESSION), ARGV[7] '' for none.
 * Replies Done when written; Changed when the server holds another version; Skipped for a
 * tombstone (the session was destroyed) or another Redis type; Missing for no key at all.
 */
export const SET_IF_VERSION = script(`${SET_WITH_TTL}${INDEX_SESSION}
local current = redis.pcall('GET', KEYS[1])
if type(current) == 'table' then return ${ScriptReply.Skipped} end
if not current then return ${ScriptReply.Missing} end
local version, kind = string.match(current, ${HEADER})
if kind == 'd' then return ${ScriptReply.Skipped} end
local held = 0
if version then held = tonumber(version) end
if held ~= tonumber(ARGV[1]) then return ${ScriptReply.Changed} end
set_with_ttl(KEYS[1], ARGV[2], ARGV[3])
if ARGV[7] ~= '' then index_session(2, ARGV[4], ARGV[5], ARGV[6], ARGV[7]) end
return ${ScriptReply.Done}
`);

/**
 * Takes back a conditional write that did not reach its quorum, where it landed: the copy
 * keeps its bytes and TTL but goes back to the version it replaced, so it can never outrank
 * the copy that did reach the quorum (or the destroy's tombstone), and read repair replaces it.
 * KEYS[1] the key; ARGV[1] the version written; ARGV[2] the version it replaced.
 * Replies Done when taken back; Skipped when the server holds something else by now.
 */
export const RETRACT_VERSION = script(`
local current = redis.pcall('GET', KEYS[1])
if type(current) ~= 'string' then return ${ScriptReply.Skipped} end
local head = '{"v":' .. ARGV[1] .. ','
if string.sub(current, 1, #head) ~= head then return ${ScriptReply.Skipped} end
local back = '{"v":' .. ARGV[2] .. ',' .. string.sub(current, #head + 1)
-- PTTL rather than KEEPTTL, which Redis 5 lacks.
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('SET', KEYS[1], back, 'PX', ttl) else redis.call('SET', KEYS[1], back) end
return ${ScriptReply.Done}
`);

/**
 * destroy and clear: replaces each key by a tombstone that lives as long as the session it
 * replaces would have (its remaining TTL), at least ARGV[2] ms, and ARGV[3] ms for a
 * session that never expires. A missing key gets one too: a repair may be on its way.
 * KEYS the keys; ARGV[1] the tombstone's version. No reply.
 */
export const WRITE_TOMBSTONES = script(`
local value = '{"v":' .. ARGV[1] .. ',"d":1}'
local floor, forever = tonumber(ARGV[2]), tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  local ttl = redis.call('PTTL', key)
  if ttl == -1 then
    ttl = forever
  elseif ttl < floor then
    ttl = floor
  end
  redis.call('SET', key, value, 'PX', ttl)
end
`);

/**
 * For all / ids / length: what each key holds, without sending the sessions back.
 * Replies one string per key: '' missing, 's<version>' session, 'd<version>' tombstone,
 * 'l' legacy value, 'x' another Redis type.
 */
export const READ_HEADERS = script(`
local out = {}
for i, key in ipairs(KEYS) do
  local value = redis.pcall('GET', key)
  if type(value) == 'table' and value.err then
    out[i] = 'x'
  elseif not value then
    out[i] = ''
  else
    local version, kind = string.match(value, ${HEADER})
    if not version then
      out[i] = 'l'
    elseif kind == 'd' then
      out[i] = 'd' .. version
    else
      out[i] = 's' .. version
    end
  end
end
return out
`);

/**
 * touch for JSON sessions, in one round trip: replaces the stored cookie (the session's
 * first member, its length in bytes in the header) and sets the TTL, keeping the version
 * and every other byte.
 * Never creates a missing key nor revives a tombstone.
 * KEYS[1] the key; ARGV[1] the cookie JSON, or '' to change only the TTL; ARGV[2] its
 * length in bytes; ARGV[3] TTL in ms or ''.
 * Replies Done; Skipped for a missing key, a tombstone, or a value this store did not
 * write (another type, a broken envelope), left alone; CannotEdit for a legacy or
 * custom-serializer value, which the client rewrites.
 */
export const TOUCH_JSON = script(`${SET_WITH_TTL}
local key, cookie, bytes, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local value = redis.pcall('GET', key)
if type(value) ~= 'string' then return ${ScriptReply.Skipped} end
local version, kind = string.match(value, ${HEADER})
if kind == 'd' then return ${ScriptReply.Skipped} end
if cookie == '' then
  if ttl == '' then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, ttl) end
  return ${ScriptReply.Done}
end
if not version or kind == 't' then return ${ScriptReply.CannotEdit} end
local head = '{"v":' .. version .. ','
local prefix = head .. '"n":' .. bytes .. ',"s":{"cookie":' .. cookie
local updated
if kind == 'n' then
  local length, start = string.match(value, '^{"v":%d+,"n":(%d+),"s":{"cookie":()')
  if not length then return ${ScriptReply.Skipped} end
  local after = start + tonumber(length)
  local follows = string.sub(value, after, after)
  if follows ~= ',' and follows ~= '}' then return ${ScriptReply.Skipped} end
  updated = prefix .. string.sub(value, after)
elseif kind == 's' then
  -- No cookie stored yet: it becomes the first member of "s".
  local open = #head + 5
  if string.sub(value, open - 4, open) ~= '"s":{' then return ${ScriptReply.Skipped} end
  local rest = string.sub(value, open + 1)
  if string.sub(rest, 1, 1) == '}' then
    updated = prefix .. rest
  else
    updated = prefix .. ',' .. rest
  end
else
  return ${ScriptReply.Skipped}
end
set_with_ttl(key, updated, ttl)
return ${ScriptReply.Done}
`);
