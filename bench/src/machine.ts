import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** Where the figures were measured. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  platform: string;
  node: string;
  /** `redis_version` of the server used, when a Redis subject ran. */
  redis: string | null;
  /** The Aerospike server used, when an Aerospike subject ran (a real one, or the TypeScript test server). */
  aerospike: string | null;
  /** `os.loadavg()` (1, 5, 15 min) when the run started and when it ended: other work on the machine. */
  loadAverage: { start: number[]; end: number[] };
  /** Versions of the anchor and client packages in bench/node_modules. */
  packages: Record<string, string>;
}

const PACKAGES = [
  'express-session',
  'express',
  'connect-redis',
  'redis',
  'ioredis',
  'session-pouchdb-store',
  'aerospike',
  'autocannon',
];

function packageVersion(name: string): string {
  try {
    // Read the file directly: some packages' `exports` hide package.json from require.
    const text = readFileSync(join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8');
    return String((JSON.parse(text) as { version?: unknown }).version ?? '?');
  } catch {
    return 'missing';
  }
}

/** `os.loadavg()`, rounded. */
export function loadAverage(): number[] {
  return os.loadavg().map((load) => Math.round(load * 100) / 100);
}

/** Describes this machine; the servers are filled in once they have been asked. */
export function machineInfo(
  redisVersion: string | null,
  aerospike: string | null,
  loadAtStart: number[],
): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    redis: redisVersion,
    aerospike,
    loadAverage: { start: loadAtStart, end: loadAverage() },
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
  };
}
