// Drives redis-store's hot path, for instruction counts under valgrind --tool=callgrind
// --instr-atstart=no (callgrind/measure.sh): a warm-up of <ops> requests (JIT compiled, caches
// warm), then collection is switched on (callgrind_control -i on) for <ops> more requests only.
//   node callgrind/hot-path.js <redis-url> <read|write> <ops> [node-redis|ioredis] [options JSON]
// "read" = get, then touch of the loaded session with a later cookie (express-session's unmodified
// request); "write" = get, then set of the loaded session with one key changed (a modified request,
// the conditional save of issue 13).
const { RedisStore } = require('@session-stores/redis-store');
const { createClient } = require('redis');
const { Redis } = require('ioredis');
const { driveHotPath } = require('./hot-path-driver');

const [url, kind, opsText, family = 'node-redis', optionsJson = '{}'] = process.argv.slice(2);
const ops = Number(opsText);

async function main() {
  const client =
    family === 'ioredis'
      ? new Redis(url, { enableAutoPipelining: true })
      : await createClient({ url }).connect();
  const store = new RedisStore({ client, prefix: `cg:${process.pid}:`, ...JSON.parse(optionsJson) });
  await store.ready();
  await driveHotPath(store, kind, ops);
  await store.clear();
  await store.close();
  if (family === 'ioredis') client.disconnect();
  else await client.close();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
