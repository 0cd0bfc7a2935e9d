import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlainCapabilityClaims } from '../conformance/plain-store';
import type { ConformanceInspect, StoreFactoryContext } from '../conformance/types';

/**
 * What a store module for `session-stores-core conformance` exports: a function
 * `createStore({ prefix, options })`, or an object with it and the optional fields below
 * (as `module.exports` or as the ESM default export).
 */
export interface StoreModule {
  /** The report's title; default the module's file name. */
  readonly name?: string;
  /** Returns a fresh, ready store using `prefix` (may return a promise). */
  createStore(context: StoreFactoryContext): unknown;
  /** Releases a store; default its `close()` when it has one. */
  closeStore?(store: unknown): Promise<void> | void;
  /** What a plain store cannot show (`expiresOnServer`, `prefixIsolation`, `ttlGranularityMs`), or methods to leave out. */
  readonly capabilities?: PlainCapabilityClaims;
  /** Raw backend access hooks, as in the kit's options. */
  readonly inspect?: ConformanceInspect;
  /** Runs once before the first store (start a backend, create a table). */
  setup?(): Promise<void> | void;
  /** Runs once at the end, whatever happened (stop what `setup` started). */
  teardown?(): Promise<void> | void;
}

/** A problem with the user's input: reported as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Loads a CommonJS or ESM module by path, relative to the working directory. */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  try {
    return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`cannot load ${path}: ${reason}`);
  }
}

const MODULE_FIELDS = ['name', 'createStore', 'closeStore', 'capabilities', 'inspect', 'setup', 'teardown'];

/** The store module's exports as a {@link StoreModule}, checked. */
export function asStoreModule(path: string, exported: Record<string, unknown>): StoreModule {
  const candidate = (exported.default ?? exported) as unknown;
  const shaped =
    typeof candidate === 'function'
      ? { createStore: candidate }
      : typeof exported.createStore === 'function'
        ? exported
        : candidate;
  if (!shaped || typeof shaped !== 'object' || typeof (shaped as StoreModule).createStore !== 'function') {
    throw new UsageError(
      `${path} exports no store factory: export a function ({ prefix }) => store, or an object with createStore`,
    );
  }
  const module = shaped as Record<string, unknown>;
  for (const field of ['closeStore', 'setup', 'teardown']) {
    if (module[field] !== undefined && typeof module[field] !== 'function') {
      throw new UsageError(`${path}: ${field} must be a function`);
    }
  }
  for (const field of ['capabilities', 'inspect']) {
    if (module[field] !== undefined && (typeof module[field] !== 'object' || module[field] === null)) {
      throw new UsageError(`${path}: ${field} must be an object`);
    }
  }
  const picked = Object.fromEntries(MODULE_FIELDS.map((field) => [field, module[field]]));
  return picked as unknown as StoreModule;
}

/** The directory the store's own dependencies (its express-session) resolve from. */
export function moduleDirectory(path: string): string {
  return dirname(resolve(path));
}
