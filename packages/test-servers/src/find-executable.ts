import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Finds `name` on `env.PATH` synchronously, like `which`. Synchronous on purpose:
 * availability is decided while jest registers `describe` blocks, before any hook runs.
 * @returns the absolute path of the executable, or `undefined` when it is not installed.
 */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there or not executable: keep looking.
    }
  }
  return undefined;
}
