import { luaScript as script } from './lua';

/**
 * touch for JSON sessions, in one round trip.
 * KEYS[1] the session key; ARGV[1] the new cookie as JSON, or '' to keep the stored one;
 * ARGV[2] the TTL in ms, or '' for no expiry.
 * Returns 1 when refreshed, 0 when the key does not exist (it is never created), -1 when
 * the stored value is not a JSON object or not a string (it is left alone, and not extended).
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
export const TOUCH_JSON_SCRIPT = script(`
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
if type(value) == 'table' and value.err then return -1 end
if not value then return 0 end
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
  if not updated then return -1 end
end
if ttl == '' then
  redis.call('SET', key, updated)
else
  redis.call('SET', key, updated, 'PX', ttl)
end
return 1
`);

/**
 * Compare-and-set, for sessions encoded by a custom serializer that the store cannot
 * edit in place: the app decodes, edits and re-encodes, and this writes the result only
 * if the stored value is still the one it read.
 * KEYS[1] the key; ARGV[1] SHA1 (hex) of the value read; ARGV[2] the new value;
 * ARGV[3] the TTL in ms, or '' for no expiry.
 * Returns 1 when written, 0 when the key is gone (not recreated), -2 when it changed.
 */
export const COMPARE_AND_SET_SCRIPT = script(`
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if redis.sha1hex(current) ~= ARGV[1] then return -2 end
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
`);

/** Outcomes of {@link TOUCH_JSON_SCRIPT} and {@link COMPARE_AND_SET_SCRIPT}. */
export const ScriptResult = { Missing: 0, Updated: 1, NotAnObject: -1, Changed: -2 } as const;
