// The request loop both hot-path scripts drive a store with (hot-path.js for redis-store,
// aerospike-hot-path.js for aerospike-store): 200 sessions stored, then <ops> requests with 32
// in flight as a warm-up, then <ops> more between `measure.start()` and `measure.stop()`
// (callgrind's collection switched on and off, or CPU time read).
// "read" = get, then touch of the loaded session with a later cookie (express-session's
// unmodified request); "write" = get, then set of the loaded session with one key changed.
const { execFileSync } = require('node:child_process');

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

/** Switches callgrind's collection on or off for this process (only under measure*.sh). */
function collect(on) {
  if (process.env.CALLGRIND === '1')
    execFileSync('callgrind_control', ['-i', on, String(process.pid)], { stdio: 'ignore' });
}

/** Stores the sessions, warms up, then runs the measured requests inside `collect('on'/'off')`. */
async function driveHotPath(store, kind, ops, measure = {}) {
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
  collect('on');
  measure.start?.();
  end = 2 * ops;
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  collect('off');
  measure.stop?.();
}

module.exports = { driveHotPath };
