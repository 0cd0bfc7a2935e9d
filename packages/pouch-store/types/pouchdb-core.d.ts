// The PouchDB class as the store uses it. tsconfig "paths" points "pouchdb-core" here
// instead of @types/pouchdb-core, which references the DOM lib and breaks the Node
// typings of other code compiled with the tests.
import type { PouchDatabase } from '../src/database';

/** A PouchDB plugin: a function receiving the PouchDB class, or an object of methods. */
type PouchPlugin = ((pouch: PouchConstructor) => void) | Record<string, unknown>;

/** A database the store created: it can also be closed and destroyed. */
interface OwnedDatabase extends PouchDatabase {
  close(): Promise<void>;
  destroy(): Promise<unknown>;
}

/** The PouchDB class, as far as the store uses it. */
interface PouchConstructor {
  new (name: string, options?: Record<string, unknown>): OwnedDatabase;
  plugin(plugin: PouchPlugin): PouchConstructor;
  fetch(url: string, init?: object): Promise<unknown>;
}

declare const PouchDB: PouchConstructor;
export = PouchDB;
