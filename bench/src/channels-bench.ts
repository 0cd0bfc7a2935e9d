/**
 * Issue 17's micro benchmark: what the store channels cost a store nobody watches.
 * core's MemoryStore (no I/O, so the channel check is the largest share it can be) against
 * the same class with the check stubbed out, and with a subscriber on every channel.
 * Each comparison runs its two variants back to back, in a random order, round after round,
 * and reports the median of the per-round ratios, so a machine that gets busier or quieter
 * during the run weighs on both alike.
 *
 *   cd bench && node -r ts-node/register/transpile-only src/channels-bench.ts [rounds] [opsPerRound]
 */
import { MemoryStore, type SessionData, subscribeStoreOperations } from '@session-stores/core';
import { withoutChannels } from './without-channels';

const ROUNDS = Number(process.argv[2] ?? 31);
const OPS = Number(process.argv[3] ?? 50_000);
const IN_FLIGHT = 64;
const SESSIONS = 1_000;

const session = {
  cookie: { originalMaxAge: 86_400_000, expires: new Date(Date.now() + 86_400_000).toISOString(), path: '/' },
  user: { id: 42, name: 'Ada' },
  visits: 3,
} as unknown as SessionData;

async function timedGets(store: MemoryStore, ops: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ops) {
      const id = `s${next++ % SESSIONS}`;
      await store.get(id);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return Number(process.hrtime.bigint() - started) / ops;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

async function filled(store: MemoryStore): Promise<MemoryStore> {
  for (let i = 0; i < SESSIONS; i++) await store.set(`s${i}`, session);
  await timedGets(store, OPS / 4); // warm-up
  return store;
}

/**
 * Times `a` and `b` back to back, in a random order, `ROUNDS` times; prints the median
 * ns/op of each and the median of the per-round ratios a/b (adjacent runs share the
 * machine's load of the moment, so the ratio is steadier than either rate).
 */
async function compare(
  label: string,
  a: MemoryStore,
  b: MemoryStore,
  around?: () => () => void,
): Promise<void> {
  const aNs: number[] = [];
  const bNs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const aFirst = Math.random() < 0.5;
    const runA = async () => {
      const stop = around?.();
      aNs.push(await timedGets(a, OPS));
      stop?.();
    };
    const runB = async () => bNs.push(await timedGets(b, OPS));
    if (aFirst) {
      await runA();
      await runB();
    } else {
      await runB();
      await runA();
    }
    ratios.push((aNs.at(-1) as number) / (bNs.at(-1) as number));
  }
  const sortedRatios = [...ratios].sort((x, y) => x - y);
  const quartile = (q: number) =>
    (sortedRatios[Math.floor(q * (sortedRatios.length - 1))] as number).toFixed(3);
  console.log(
    `${label}: ${Math.round(median(aNs))} vs ${Math.round(median(bNs))} ns/op (medians); ` +
      `ratio per round: median x${median(ratios).toFixed(3)}, quartiles ${quartile(0.25)}-${quartile(0.75)}`,
  );
}

async function main(): Promise<void> {
  console.log(`get on MemoryStore, ${IN_FLIGHT} in flight, ${ROUNDS} rounds of ${OPS} ops per variant`);
  const NoChannels = withoutChannels(MemoryStore);
  const plain = await filled(new MemoryStore());
  const bare = await filled(new NoChannels());
  // First, before anything ever subscribes in this process (Node changes a channel object's
  // prototype when its first subscriber comes and its last one goes, which costs every
  // later check a little: that is the second comparison's business).
  await compare('channels, nobody subscribed  vs  no channel code', plain, bare);
  const observedStore = await filled(new MemoryStore());
  await compare('channels, one subscriber     vs  no channel code', observedStore, bare, () =>
    subscribeStoreOperations({ start: () => undefined, asyncEnd: () => undefined }),
  );
  await compare(
    'channels, nobody subscribed (after subscriptions came and went)  vs  no channel code',
    plain,
    bare,
  );
  for (const store of [plain, bare, observedStore]) await store.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
