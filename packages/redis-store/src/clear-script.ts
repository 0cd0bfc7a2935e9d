import { luaScript } from './lua';

/**
 * One page of `clear()` on one server, run there: SCAN with MATCH, then DEL of the keys
 * that start with the prefix, so no key travels to the app and back.
 * ARGV[1] the cursor; ARGV[2] the MATCH pattern (the escaped prefix and `*`); ARGV[3] the
 * COUNT hint; ARGV[4] the prefix itself. Returns the next cursor ('0' at the end).
 *
 * Not for a cluster: a script may not touch keys of several hash slots there.
 * Each call deletes one page, so the server is never blocked for long.
 */
export const CLEAR_PAGE_SCRIPT = luaScript(`
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
    if size == 1000 then
      redis.call('DEL', unpack(batch))
      batch, size = {}, 0
    end
  end
end
if size > 0 then redis.call('DEL', unpack(batch)) end
return page[1]
`);
