import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup';

/** A private temporary directory that is removed at teardown or, at the latest, when the process exits. */
export interface TempDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** Removes the directory and everything in it. Safe to call twice. */
  remove(): void;
}

/** Creates a fresh directory under the OS temp dir, named after `label` so leftovers are recognisable. */
export function makeTempDir(label: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `session-stores-${label.replace(/[^\w-]/g, '_')}-`));
  const remove = (): void => {
    rmSync(path, { recursive: true, force: true });
  };
  const unregister = onProcessExit(remove);
  return {
    path,
    remove() {
      unregister();
      remove();
    },
  };
}
