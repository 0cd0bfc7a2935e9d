import { randomBytes } from 'node:crypto';
import { OPTIONAL_METHODS, type StoreCapabilities } from '../capabilities';
import { InvalidOptionError } from '../errors';
import { optionalBoolean, optionalGroup, rejectUnknownKeys } from '../option-checks';
import type { SessionStore, SessionStoreOptions } from '../session-store';
import { isPlainStoreClass, type PlainStore, PlainStoreAdapter, plainCapabilities } from './plain-store';
import type { CaseContext, ConformanceInspect, ConformanceOptions, ConformanceTarget } from './types';

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
  if (isPlainStoreClass(options.storeClass)) {
    const prototype = (options.storeClass as { prototype?: object }).prototype;
    return plainCapabilities(prototype, checkedClaims(options.capabilities, true));
  }
  const declared = declaredCapabilities(options);
  const narrowed = optionalGroup(checkedClaims(options.capabilities, false).methods, 'capabilities.methods');
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

/** The claims a run may make: only `methods` for a core store; also the facts a plain store cannot show. */
function checkedClaims(claims: ConformanceOptions['capabilities'], plain: boolean) {
  const group = optionalGroup(claims, 'capabilities');
  const allowed = plain ? ['methods', 'ttlGranularityMs', 'expiresOnServer', 'prefixIsolation'] : ['methods'];
  rejectUnknownKeys(group, allowed, 'capabilities');
  const methods = optionalGroup(group.methods, 'capabilities.methods');
  rejectUnknownKeys(methods, OPTIONAL_METHODS, 'capabilities.methods');
  for (const name of OPTIONAL_METHODS) optionalBoolean(methods[name], `capabilities.methods.${name}`);
  optionalBoolean(group.expiresOnServer, 'capabilities.expiresOnServer');
  optionalBoolean(group.prefixIsolation, 'capabilities.prefixIsolation');
  const granularity = group.ttlGranularityMs;
  if (granularity !== undefined && !(typeof granularity === 'number' && granularity > 0)) {
    throw new InvalidOptionError('capabilities.ttlGranularityMs', 'expected a number of ms above 0');
  }
  return group as NonNullable<ConformanceOptions['capabilities']>;
}

/** The manifest of a core store class: what the store itself must support or refuse. */
function declaredCapabilities(options: ConformanceOptions): StoreCapabilities {
  return (options.storeClass as { readonly capabilities: StoreCapabilities }).capabilities;
}

/** What the requirements of a case know about the store under test. */
export function conformanceTarget(options: ConformanceOptions): ConformanceTarget {
  return { plain: isPlainStoreClass(options.storeClass) };
}

/** The hooks, with the ids `corrupt` writes remembered by a plain store's wrapper, which removes them after the case. */
function rememberingInspect(inspect: ConformanceInspect): ConformanceInspect {
  const corrupt = inspect.corrupt;
  if (!corrupt) return inspect;
  return {
    ...inspect,
    corrupt: async (store, sid) => {
      const wrapper = store as unknown;
      if (wrapper instanceof PlainStoreAdapter) wrapper.remember(sid);
      await corrupt(store, sid);
    },
  };
}

/** A case context plus the cleanup that closes every store it made. */
export interface ManagedContext<S extends SessionStore> {
  readonly context: CaseContext<S>;
  /** Throws when a plain store broke the callback contract during the case (a callback called twice). */
  verify(): void;
  dispose(): Promise<void>;
}

/** Releases a plain store: its own `close()` when it has one (callback, promise or neither), bounded. */
async function closePlainStore(store: PlainStore): Promise<void> {
  const close = (store as unknown as { close?: (callback?: () => void) => unknown }).close;
  if (typeof close !== 'function') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      const returned = close.call(store, done);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(done, done);
      } else if (close.length === 0) {
        done();
      }
    } catch {
      done();
    }
  });
}

/** Builds the context of one case run. */
export function createCaseContext<S extends SessionStore>(options: ConformanceOptions<S>): ManagedContext<S> {
  const stores: S[] = [];
  const adapters: PlainStoreAdapter[] = [];
  const plain = isPlainStoreClass(options.storeClass);
  const capabilities = effectiveCapabilities(options as unknown as ConformanceOptions);
  const base = `kit:${uniqueToken(options.name.replace(/[^a-z0-9]/gi, '').slice(0, 12) || 'store')}:`;
  const context: CaseContext<S> = {
    capabilities,
    declared: plain ? capabilities : declaredCapabilities(options as unknown as ConformanceOptions),
    plain,
    inspect: rememberingInspect(options.inspect ?? {}) as ConformanceInspect<S>,
    prefix: (label = 'p') => `${base}${uniqueToken(label)}:`,
    sid: (label = 's') => uniqueToken(label),
    async store(storeOptions: SessionStoreOptions = {}, prefix?: string) {
      const usedPrefix = prefix ?? context.prefix();
      const made = await options.createStore({ prefix: usedPrefix, options: plain ? {} : storeOptions });
      if (!plain) {
        stores.push(made);
        return made;
      }
      const close = options.closeStore as ((store: unknown) => Promise<void>) | undefined;
      const adapter = new PlainStoreAdapter(
        made as unknown as PlainStore,
        usedPrefix,
        capabilities,
        close ?? closePlainStore,
      );
      adapters.push(adapter);
      const store = adapter.asSessionStore() as S;
      stores.push(store);
      return store;
    },
  };
  const dispose = async (): Promise<void> => {
    // A plain store's clear() may not respect the prefix: remove exactly what the case wrote.
    for (const adapter of adapters) if (!adapter.closed) await adapter.removeWritten();
    for (const store of stores.splice(0)) {
      // Best effort: leave no data behind on a shared server, then release the store.
      if (!plain && !store.closed && context.capabilities.methods.clear)
        await store.clear().catch(() => undefined);
      const release = options.closeStore && !plain ? options.closeStore(store) : store.close();
      await release.catch(() => undefined);
    }
  };
  const verify = (): void => {
    const broken = [...new Set(adapters.flatMap((adapter) => adapter.violations))];
    if (broken.length > 0) throw new Error(`the store broke the callback contract: ${broken.join('; ')}`);
  };
  return { context, verify, dispose };
}
