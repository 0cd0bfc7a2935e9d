import { InvalidArgumentError } from './errors';
import type { SessionStore } from './session-store';

/** The part of the `express-session` module the classic factory needs. */
export interface ExpressSessionModule {
  /** express-session's Store base class. */
  readonly Store: abstract new (
    ...args: never[]
  ) => object;
}

// biome-ignore lint/suspicious/noExplicitAny: constructor parameter lists vary per store
type StoreClass = new (...args: any[]) => SessionStore;

/** The Store methods that create session objects; the bound class takes them from the user's module. */
const SESSION_FACTORY_METHODS = ['createSession', 'load', 'regenerate'] as const;

const boundClasses = new WeakMap<object, WeakMap<object, StoreClass>>();

/**
 * Makes the classic factory a backend exports as its default:
 * `require('@session-stores/redis-store')(session)` returns the store class bound
 * to the caller's own express-session module, so the sessions it creates are that
 * module's `Session` and `Cookie` objects even when two copies are installed.
 * Called with no argument, it returns the class as it is.
 */
export function createStoreFactory<C extends StoreClass>(
  storeClass: C,
): (session?: ExpressSessionModule) => C {
  return function bindStore(session?: ExpressSessionModule): C {
    if (session === undefined) return storeClass;
    const userStore = (session as Partial<ExpressSessionModule> | null)?.Store;
    if (typeof userStore !== 'function') {
      throw new InvalidArgumentError(
        'session',
        'expected the express-session module: require("express-session")',
      );
    }
    if (storeClass.prototype instanceof userStore) return storeClass;
    let perModule = boundClasses.get(storeClass);
    if (!perModule) {
      perModule = new WeakMap();
      boundClasses.set(storeClass, perModule);
    }
    const cached = perModule.get(userStore);
    if (cached) return cached as C;
    const bound = bindToModule(storeClass, userStore.prototype as Record<string, unknown>);
    perModule.set(userStore, bound);
    return bound;
  };
}

function bindToModule<C extends StoreClass>(storeClass: C, userPrototype: Record<string, unknown>): C {
  // A subclass keeps the store's behaviour and name; only session creation comes from the user's module.
  const base = storeClass as unknown as new (...args: unknown[]) => object;
  const bound = { [storeClass.name]: class extends base {} }[storeClass.name] as unknown as C;
  for (const method of SESSION_FACTORY_METHODS) {
    const implementation = userPrototype[method];
    if (typeof implementation === 'function') {
      Object.defineProperty(bound.prototype, method, {
        value: implementation,
        writable: true,
        configurable: true,
      });
    }
  }
  return bound;
}
