import type { WriteTtl } from '@session-stores/core';
import { MAX_KEYS_PER_COMMAND } from './command-limits';
import { luaScript } from './lua';

/**
 * The Redis packages' scripts: redis-store's below, and the one reply code table every
 * conditional-write script answers with (expredis-replicated's and alt-session-async's
 * scripts too), so one number never means two outcomes.
 */
export const ScriptReply = {
  /** Written (or refreshed). */
  Done: 1,
  /** Nothing written, and nothing left to do: the key is missing (never created), or holds something left alone. */
  Skipped: 0,
  /**
   * touch: the value is not one the script can edit in place (not a JSON object, or a legacy
   * or custom-serializer value). It is left as it is, for the caller to rewrite or leave alone.
   */
  CannotEdit: -1,
  /** compare-and-set: the value changed since it was read. */
  Changed: -2,
  /**
   * conditional write of a replicated copy: this server holds no copy at all (never written
   * here, expired, or lost with the server), which is not proof that the session is gone.
   */
  Missing: -3,
} as const;

/** A TTL as the scripts take it (see {@link SET_WITH_TTL}): milliseconds, or '' for none. */
export function scriptTtl(ttl: WriteTtl): string {
  return ttl.kind === 'expire' ? String(ttl.ms) : '';
}

/** Lua: `set_with_ttl(key, value, ttl)`, a SET with PX, or without expiry when the TTL is ''. */
export const SET_WITH_TTL = `
local function set_with_ttl(key, value, ttl)
  if ttl == '' then
    redis.call('SET', key, value)
  else
    redis.call('SET', key, value, 'PX', ttl)
  end
end
`;

/**
 * Compare-and-set, for values the server cannot edit (a custom serializer, a legacy
 * value): the client decodes, edits and re-encodes, and this writes the result only if the
 * stored value is still the one it read (compared by SHA1).
 * KEYS[1] the key; ARGV[1] SHA1 (hex) of the value read; ARGV[2] the new value;
 * ARGV[3] the TTL in ms, or '' for no expiry.
 * Replies Done when written; Skipped when the key is gone (never recreated) or holds
 * another Redis type; Changed when the value changed.
 */
export const COMPARE_AND_SET = luaScript(`${SET_WITH_TTL}
local current = redis.pcall('GET', KEYS[1])
if type(current) ~= 'string' then return ${ScriptReply.Skipped} end
if redis.sha1hex(current) ~= ARGV[1] then return ${ScriptReply.Changed} end
set_with_ttl(KEYS[1], ARGV[2], ARGV[3])
return ${ScriptReply.Done}
`);

/**
 * touch for JSON sessions, in one round trip.
 * KEYS[1] the session key; ARGV[1] the new cookie as JSON, or '' to keep the stored one;
 * ARGV[2] the TTL in ms, or '' for no expiry.
 * Replies Done when refreshed, Skipped when the key does not exist (it is never created),
 * CannotEdit when the stored value is not a JSON object or not a string (it is left alone,
 * and not extended).
 *
 * The stored JSON is NOT decoded with cjson: cjson keeps 14 significant digits and turns
 * `[]` into `{}`, which would corrupt the app's data. Instead a small scanner walks the
 * top-level object, finds where the value of its "cookie" member starts and ends, and
 * splices the new cookie text in; every other byte stays as it was.
 *
 * Fast path: express-session puts `cookie` first and JSON.stringify adds no spaces, so
 * nearly every value starts `{"cookie":{` and the cookie object holds no nested object.
 * Then the first `}` closes the cookie, provided no escape and no `{` come before it and
 * the quotes before it pair up (else that `}` sits inside a string). One plain find
 * instead of the scanner halves the server time of a touch (about 10 µs instead of 20).
 * The scanner's functions are only defined when the fast path does not apply.
 */
export const TOUCH_JSON = luaScript(`${SET_WITH_TTL}
local key, cookie, ttl = KEYS[1], ARGV[1], ARGV[2]
if cookie == '' then
  local found
  if ttl == '' then
    found = redis.call('EXISTS', key)
    if found == 1 then redis.call('PERSIST', key) end
  else
    found = redis.call('PEXPIRE', key, ttl)
  end
  return found
end
-- pcall: a key holding another type (WRONGTYPE) is corrupt data, left alone like any other.
local value = redis.pcall('GET', key)
if type(value) == 'table' and value.err then return ${ScriptReply.CannotEdit} end
if not value then return ${ScriptReply.Skipped} end
local find, sub = string.find, string.sub
local updated
if sub(value, 1, 11) == '{"cookie":{' then
  local close = find(value, '}', 12, true)
  if close then
    local inner = sub(value, 12, close - 1)
    local after = string.byte(value, close + 1)
    if not find(inner, '[{\\\\]') and (after == 44 or after == 125)
      and select(2, string.gsub(inner, '"', '')) % 2 == 0 then
      updated = '{"cookie":' .. cookie .. sub(value, close + 1)
    end
  end
end
if not updated then
  local find, byte, sub = string.find, string.byte, string.sub

  local function skip_ws(s, i)
    return find(s, '[^ \\t\\r\\n]', i)
  end

  -- s[i] is '"': the index just after the closing quote, or nil.
  local function skip_string(s, i)
    local j = i + 1
    while true do
      local k = find(s, '["\\\\]', j)
      if not k then return nil end
      if byte(s, k) == 34 then return k + 1 end
      j = k + 2
    end
  end

  -- The index just after the JSON value starting at s[i], or nil.
  local function skip_value(s, i)
    local c = byte(s, i)
    if c == 34 then return skip_string(s, i) end
    if c == 123 or c == 91 then
      local depth, j = 0, i
      while true do
        local k = find(s, '[%[%]{}"]', j)
        if not k then return nil end
        local b = byte(s, k)
        if b == 34 then
          j = skip_string(s, k)
          if not j then return nil end
        else
          if b == 123 or b == 91 then depth = depth + 1 else depth = depth - 1 end
          j = k + 1
          if depth == 0 then return j end
        end
      end
    end
    local k = find(s, '[,%]} \\t\\r\\n]', i)
    if not k or k == i then return nil end
    return k
  end

  local function member_name(s, i, j)
    local raw = sub(s, i, j - 1)
    if not find(raw, '\\\\', 1, true) then return sub(raw, 2, -2) end
    local ok, name = pcall(cjson.decode, raw)
    if ok then return name end
    return nil
  end

  -- The JSON object s with the value of its top-level "cookie" member replaced by cookie
  -- (or that member added), or nil when s is not a JSON object.
  local function with_cookie(s, cookie)
    local open = skip_ws(s, 1)
    if not open or byte(s, open) ~= 123 then return nil end
    local i = skip_ws(s, open + 1)
    if not i then return nil end
    if byte(s, i) == 125 then
      return sub(s, 1, open) .. '"cookie":' .. cookie .. sub(s, open + 1)
    end
    while true do
      if byte(s, i) ~= 34 then return nil end
      local name_end = skip_string(s, i)
      if not name_end then return nil end
      local name = member_name(s, i, name_end)
      i = skip_ws(s, name_end)
      if not i or byte(s, i) ~= 58 then return nil end
      local value_start = skip_ws(s, i + 1)
      if not value_start then return nil end
      local value_end = skip_value(s, value_start)
      if not value_end then return nil end
      if name == 'cookie' then
        return sub(s, 1, value_start - 1) .. cookie .. sub(s, value_end)
      end
      i = skip_ws(s, value_end)
      if not i then return nil end
      local b = byte(s, i)
      if b == 125 then
        return sub(s, 1, open) .. '"cookie":' .. cookie .. ',' .. sub(s, open + 1)
      end
      if b ~= 44 then return nil end
      i = skip_ws(s, i + 1)
      if not i then return nil end
    end
  end
  updated = with_cookie(value, cookie)
  if not updated then return ${ScriptReply.CannotEdit} end
end
set_with_ttl(key, updated, ttl)
return ${ScriptReply.Done}
`);

/**
 * One page of `clear()` on one server, run there: SCAN with MATCH, then DEL of the keys
 * that start with the prefix, so no key travels to the app and back.
 * ARGV[1] the cursor; ARGV[2] the MATCH pattern (the escaped prefix and `*`); ARGV[3] the
 * COUNT hint; ARGV[4] the prefix itself. Returns the next cursor ('0' at the end).
 *
 * Not for a cluster: a script may not touch keys of several hash slots there.
 * Each call deletes one page, so the server is never blocked for long.
 */
export const CLEAR_PAGE = luaScript(`
-- Redis 3.2 to 4 refuse writes after SCAN unless effects are replicated; later versions always do.
if redis.replicate_commands then redis.replicate_commands() end
local page = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local prefix = ARGV[4]
local length = #prefix
local batch, size = {}, 0
for _, key in ipairs(page[2]) do
  if string.sub(key, 1, length) == prefix then
    size = size + 1
    batch[size] = key
    -- DEL in chunks: unpack() of a huge table would overflow Lua's stack.
    if size == ${MAX_KEYS_PER_COMMAND} then
      redis.call('DEL', unpack(batch))
      batch, size = {}, 0
    end
  end
end
if size > 0 then redis.call('DEL', unpack(batch)) end
return page[1]
`);

/**
 * Lua: `index_session(first, sid, score, now, which)`, one session's entry in the user
 * indexes, sorted sets scored by the session's expiry (epoch ms, `inf` for none). `which`
 * says which keys follow from `KEYS[first]`: `u` the user's index (the id is added or its
 * score updated, or with `x` only updated if present), `f` the former user's (the id is
 * removed). The user's expired entries go whenever a session joins the set, and the set
 * expires with its last session (a later expiry extends it, an earlier one never shortens
 * it), so a user's index never grows with dead entries. Few commands on the common path
 * (ZADD, PTTL), since it runs on every save.
 */
export const INDEX_SESSION: string = `
local function index_session(first, sid, score, now, which)
  local at = first
  local user_key, former_key
  if string.find(which, 'u', 1, true) then user_key = KEYS[at]; at = at + 1 end
  if string.find(which, 'f', 1, true) then former_key = KEYS[at] end
  if former_key then redis.call('ZREM', former_key, sid) end
  if not user_key then return end
  local added
  if string.find(which, 'x', 1, true) then
    if redis.call('ZADD', user_key, 'XX', 'CH', score, sid) == 0 then return end
  else
    added = redis.call('ZADD', user_key, score, sid)
  end
  -- A new member (a login) drops the user's expired ones: the set never collects dead entries.
  if added == 1 then redis.call('ZREMRANGEBYSCORE', user_key, '-inf', now) end
  -- The set lives as long as its last member: extended when this one outlives it, never shortened.
  local ttl = redis.call('PTTL', user_key)
  if score == 'inf' then
    if ttl >= 0 then redis.call('PERSIST', user_key) end
  elseif ttl >= 0 then
    if tonumber(now) + ttl < tonumber(score) then redis.call('PEXPIREAT', user_key, score) end
  else
    -- No expiry yet: a new set, or one holding a member that never expires.
    local last = redis.call('ZRANGE', user_key, -1, -1, 'WITHSCORES')
    if last[2] ~= 'inf' then redis.call('PEXPIREAT', user_key, score) end
  end
end
`;

/**
 * A session write and its user index entries in one script, for one server (a cluster
 * keeps a user's index in another hash slot: there the store sends {@link INDEX_ONLY} first).
 * KEYS[1] the session key, then the index keys `ARGV[6]` names (see {@link INDEX_SESSION});
 * ARGV[1] the value; ARGV[2] the TTL in ms or ''; ARGV[3] the id; ARGV[4] its expiry (epoch
 * ms or 'inf'); ARGV[5] now (epoch ms); ARGV[6] which index keys follow.
 */
export const SET_INDEXED = luaScript(`${SET_WITH_TTL}${INDEX_SESSION}
set_with_ttl(KEYS[1], ARGV[1], ARGV[2])
index_session(2, ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return ${ScriptReply.Done}
`);

/**
 * {@link COMPARE_AND_SET} that also files the session in the user indexes when it writes.
 * KEYS as {@link SET_INDEXED}; ARGV[1] the SHA1 of the value read, ARGV[2..7] as ARGV[1..6]
 * of {@link SET_INDEXED}.
 */
export const COMPARE_AND_SET_INDEXED = luaScript(`${SET_WITH_TTL}${INDEX_SESSION}
local current = redis.pcall('GET', KEYS[1])
if type(current) ~= 'string' then return ${ScriptReply.Skipped} end
if redis.sha1hex(current) ~= ARGV[1] then return ${ScriptReply.Changed} end
set_with_ttl(KEYS[1], ARGV[2], ARGV[3])
index_session(2, ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return ${ScriptReply.Done}
`);

/**
 * Only the user index side of a write ({@link INDEX_SESSION} from KEYS[1]), for a cluster
 * and for touch. ARGV[1] the id; ARGV[2] its expiry; ARGV[3] now; ARGV[4] which keys.
 */
export const INDEX_ONLY = luaScript(`${INDEX_SESSION}
index_session(1, ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return ${ScriptReply.Done}
`);
