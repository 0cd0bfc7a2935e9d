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
  /** Versions of the anchor and client packages in bench/node_modules. */
  packages: Record<string, string>;
}

const PACKAGES = ['express-session', 'express', 'connect-redis', 'redis', 'ioredis', 'autocannon'];

function packageVersion(name: string): string {
  try {
    // Read the file directly: some packages' `exports` hide package.json from require.
    const text = readFileSync(join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8');
    return String((JSON.parse(text) as { version?: unknown }).version ?? '?');
  } catch {
    return 'missing';
  }
}

/** Describes this machine; `redisVersion` is filled in once a server has been asked. */
export function machineInfo(redisVersion: string | null): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    redis: redisVersion,
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
  };
}
