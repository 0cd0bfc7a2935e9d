import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The libraries the kit's HTTP cases drive; none is needed by the rest of the kit. */
export type HttpModuleName =
  | 'express'
  | 'express-session'
  | 'supertest'
  | 'fastify'
  | '@fastify/session'
  | '@fastify/cookie';

/** Directories to resolve the HTTP libraries from before the kit's own (the command line adds the store's). */
const preferredDirectories: string[] = [];

/**
 * Makes the kit resolve express, express-session, supertest and fastify from `directory`
 * first: the command line points it at the store's module, so the HTTP cases drive the
 * store's own copy of express-session.
 */
export function preferModulesFrom(directory: string): void {
  if (!preferredDirectories.includes(directory)) preferredDirectories.unshift(directory);
}

function resolveFrom(directory: string, name: string): string | undefined {
  try {
    return createRequire(join(directory, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
}

/** Where `name` resolves from, or undefined when it is installed nowhere the kit looks. */
export function locateHttpModule(name: HttpModuleName): string | undefined {
  for (const directory of preferredDirectories) {
    const found = resolveFrom(directory, name);
    if (found) return found;
  }
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
}

/**
 * Loads one of the HTTP libraries lazily, so the kit itself loads (and its other groups
 * run) where they are not installed; cases that need them declare it with `needsModules`.
 */
export function httpModule<T>(name: HttpModuleName): T {
  const path = locateHttpModule(name);
  if (!path) throw new Error(`${name} is not installed: the kit's HTTP cases need it (npm i -D ${name})`);
  const loaded = require(path) as T & { default?: T; __esModule?: boolean };
  // supertest and express are CommonJS functions; fastify's plugins are ESM-shaped CommonJS.
  return loaded.__esModule && loaded.default !== undefined ? loaded.default : loaded;
}
