// Drives redis-store's hot path, for instruction counts under valgrind --tool=callgrind
// --instr-atstart=no (callgrind/measure.sh): a warm-up of <ops> requests (JIT compiled, caches
// warm), then collection is switched on (callgrind_control -i on) for <ops> more requests only.
//   node callgrind/hot-path.js <redis-url> <read|write> <ops> [node-redis|ioredis] [options JSON]
// "read" = get, then touch of the loaded session with a later cookie (express-session's unmodified
// request); "write" = get, then set of the loaded session with one key changed (a modified request,
// the conditional save of issue 13).
const { execFileSync } = require('node:child_process');
const { RedisStore } = require('@session-stores/redis-store');
const { createClient } = require('redis');
const { Redis } = require('ioredis');

const [url, kind, opsText, family = 'node-redis', optionsJson = '{}'] = process.argv.slice(2);
const ops = Number(opsText);
const SESSIONS = 200;
const IN_FLIGHT = 32;
const DAY = 86_400_000;

function session(i) {
  return {
    cookie: { originalMaxAge: DAY, expires: new Date(Date.now() + DAY), httpOnly: true, path: '/' },
    owner: `id${i}`,
    user: { id: i, name: `User ${i}`, email: `u${i}@example.com`, roles: ['reader', 'editor'] },
    cart: [{ sku: 'SKU-000123', qty: 1 }],
    hits: 0,
  };
}

async function main() {
  const client =
    family === 'ioredis'
      ? new Redis(url, { enableAutoPipelining: true })
      : await createClient({ url }).connect();
  const store = new RedisStore({ client, prefix: `cg:${process.pid}:`, ...JSON.parse(optionsJson) });
  await store.ready();
  for (let i = 0; i < SESSIONS; i++) await store.set(`s${i}`, session(i));
  let next = 0;
  let end = ops;
  async function worker() {
    while (next < end) {
      const sid = `s${next++ % SESSIONS}`;
      const loaded = await store.get(sid);
      if (kind === 'read') {
        loaded.cookie = { ...loaded.cookie, expires: new Date(Date.now() + DAY) };
        await store.touch(sid, loaded);
      } else {
        loaded.hits += 1;
        await store.set(sid, loaded);
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const collect = (on) => {
    if (process.env.CALLGRIND === '1')
      execFileSync('callgrind_control', ['-i', on, String(process.pid)], { stdio: 'ignore' });
  };
  collect('on');
  end = 2 * ops;
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  collect('off');
  await store.clear();
  await store.close();
  if (family === 'ioredis') client.disconnect();
  else await client.close();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
