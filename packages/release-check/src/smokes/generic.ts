import type { SmokeDefinition } from './smoke-definition';

/**
 * The smoke of a backend without its own definition: only the module shape (the
 * classic factory, a named `<X>Store` class) and that its types load. Write a real
 * one in src/smokes/<folder>.ts when the backend lands.
 */
export function genericSmoke(packageName: string): SmokeDefinition {
  const name = JSON.stringify(packageName);
  return {
    extraInstalls: [],
    servers: [],
    cjs: `'use strict';
const assert = require('node:assert/strict');
const session = require('express-session');
const pkg = require(${name});
assert.equal(typeof pkg, 'function', 'module.exports is the classic factory');
assert.ok(pkg(session).prototype instanceof session.Store, "require(pkg)(session) extends express-session's Store");
const named = Object.keys(pkg).filter((key) => /Store$/.test(key) && typeof pkg[key] === 'function');
assert.ok(named.length > 0, 'a named <X>Store export');
console.log('smoke ok (exports only): ' + named.join(', '));
`,
    esm: `import assert from 'node:assert/strict';
import session from 'express-session';
import factory, * as pkg from ${name};
assert.equal(typeof factory, 'function', 'the default export is the classic factory');
assert.ok(factory(session).prototype instanceof session.Store, "factory(session) extends express-session's Store");
const named = Object.keys(pkg).filter((key) => /Store$/.test(key) && typeof pkg[key] === 'function');
assert.ok(named.length > 0, 'a named <X>Store export');
console.log('smoke ok (exports only): ' + named.join(', '));
`,
    types: `import session from 'express-session';
import factory from ${name};

const StoreClass = factory(session);
type Store = InstanceType<typeof StoreClass>;
declare const store: Store;
const pending: Promise<unknown> = store.get('sid');

export { pending };
`,
  };
}
