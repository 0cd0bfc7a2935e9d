/**
 * Most keys (or values) one command carries: per MGET or DEL the app sends, and per DEL,
 * HMGET or HSET inside a script (unpack() of a larger table overflows Lua's stack). Keeps
 * each reply and each blocking call small.
 */
export const MAX_KEYS_PER_COMMAND = 1000;
