import { randomBytes } from 'node:crypto';
import { OPTIONAL_METHODS, type StoreCapabilities } from '../capabilities';
import { InvalidOptionError } from '../errors';
import { optionalBoolean, optionalGroup, rejectUnknownKeys } from '../option-checks';
import type { SessionStore, SessionStoreOptions } from '../session-store';
import type { CaseContext, ConformanceInspect, ConformanceOptions } from './types';

let counter = 0;

/** A unique, readable token for prefixes and ids. */
export function uniqueToken(label = 'x'): string {
  counter += 1;
  return `${label}${counter}-${randomBytes(4).toString('hex')}`;
}

/**
 * The capabilities the kit tests: the class's manifest, with the methods the options leave out.
 * @throws InvalidOptionError when the options claim a method the class does not declare.
 */
export function effectiveCapabilities(options: ConformanceOptions): StoreCapabilities {
  const declared = options.storeClass.capabilities;
  const narrowing = optionalGroup(options.capabilities, 'capabilities');
  rejectUnknownKeys(narrowing, ['methods'], 'capabilities');
  const narrowed = optionalGroup(narrowing.methods, 'capabilities.methods');
  rejectUnknownKeys(narrowed, OPTIONAL_METHODS, 'capabilities.methods');
  const methods = { ...declared.methods };
  for (const name of OPTIONAL_METHODS) {
    const value = optionalBoolean(narrowed[name], `capabilities.methods.${name}`);
    if (value === undefined) continue;
    if (value && !declared.methods[name]) {
      throw new InvalidOptionError(
        `capabilities.methods.${name}`,
        'an override may only narrow what the store declares',
      );
    }
    methods[name] = value;
  }
  return { ...declared, methods };
}

/** A case context plus the cleanup that closes every store it made. */
export interface ManagedContext<S extends SessionStore> {
  readonly context: CaseContext<S>;
  dispose(): Promise<void>;
}

/** Builds the context of one case run. */
export function createCaseContext<S extends SessionStore>(options: ConformanceOptions<S>): ManagedContext<S> {
  const stores: S[] = [];
  const base = `kit:${uniqueToken(options.name.replace(/[^a-z0-9]/gi, '').slice(0, 12) || 'store')}:`;
  const context: CaseContext<S> = {
    capabilities: effectiveCapabilities(options as unknown as ConformanceOptions),
    declared: options.storeClass.capabilities,
    inspect: (options.inspect ?? {}) as ConformanceInspect<S>,
    prefix: (label = 'p') => `${base}${uniqueToken(label)}:`,
    sid: (label = 's') => uniqueToken(label),
    async store(storeOptions: SessionStoreOptions = {}, prefix?: string) {
      const usedPrefix = prefix ?? context.prefix();
      const store = await options.createStore({ prefix: usedPrefix, options: storeOptions });
      stores.push(store);
      return store;
    },
  };
  const dispose = async (): Promise<void> => {
    for (const store of stores.splice(0)) {
      // Best effort: leave no data behind on a shared server, then release the store.
      if (!store.closed && context.capabilities.methods.clear) await store.clear().catch(() => undefined);
      await (options.closeStore ? options.closeStore(store) : store.close()).catch(() => undefined);
    }
  };
  return { context, dispose };
}
