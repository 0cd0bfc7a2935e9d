import { execFileSync } from 'node:child_process';

const majors = new Map<string, number>();

/**
 * The major version of a redis-server binary (`redis-server --version` prints `v=7.0.15`), cached per
 * path. Some flags we pass exist only since 7.0, and Ubuntu 22.04 still ships 6.0.
 */
export function redisMajorVersion(binary: string): number {
  let major = majors.get(binary);
  if (major === undefined) {
    const output = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    major = Number(/\bv=(\d+)\./.exec(output)?.[1] ?? 0);
    majors.set(binary, major);
  }
  return major;
}
