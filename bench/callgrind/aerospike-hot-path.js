// Drives aerospike-store's hot path, for instruction counts under valgrind --tool=callgrind
// --instr-atstart=no (callgrind/measure-aerospike.sh), as hot-path.js does for redis-store: a
// warm-up of <ops> requests, then collection is switched on for <ops> more requests only.
//   node callgrind/aerospike-hot-path.js <host:port> <read|write> <ops> [options JSON]
// "read" = get, then touch of the loaded session with a later cookie (express-session's unmodified
// request; with touchMargin most touches send nothing); "write" = get, then set of the loaded
// session with one key changed. Writes to set "cg-<pid>" of namespace "test", truncated at the end.
// Without callgrind it prints the CPU time per request of this process over the measured phase
// and, with ASD_PID=<pid of a local asd>, that server's too (utime + stime from /proc).
const { readFileSync } = require('node:fs');
const { AerospikeStore } = require('@session-stores/aerospike-store');
const { driveHotPath } = require('./hot-path-driver');

const [hosts, kind, opsText, optionsJson = '{}'] = process.argv.slice(2);
const ops = Number(opsText);

async function main() {
  const store = new AerospikeStore({
    hosts,
    namespace: 'test',
    set: `cg-${process.pid}`,
    ...JSON.parse(optionsJson),
  });
  await store.ready(10_000);
  let cpu;
  let asd;
  let used;
  let asdUsed;
  await driveHotPath(store, kind, ops, {
    start: () => {
      cpu = process.cpuUsage();
      asd = asdTicks();
    },
    stop: () => {
      used = process.cpuUsage(cpu);
      if (asd !== undefined) asdUsed = asdTicks() - asd;
    },
  });
  if (process.env.CALLGRIND !== '1') {
    const perRequest = (us) => `${(us / ops).toFixed(1)} µs`;
    let line = `${kind} ${optionsJson}: app ${perRequest(used.user + used.system)} CPU per request`;
    // Clock ticks are 10 ms (USER_HZ 100): enough over tens of thousands of requests.
    if (asdUsed !== undefined) line += `, asd ${perRequest(asdUsed * 10_000)}`;
    console.log(line);
  }
  await store.clear();
  await store.close();
}
/** utime + stime of the asd named by ASD_PID, in clock ticks; undefined without it. */
function asdTicks() {
  const pid = process.env.ASD_PID;
  if (!pid) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
