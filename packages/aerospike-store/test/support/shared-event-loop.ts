/**
 * Jest-only: lets every test file in one worker process use the aerospike client.
 *
 * The client registers its event loop with the native addon once per process, and
 * remembers that in a JS module variable. Jest loads the JS modules afresh for each
 * test file but the native addon only once per process, so the second file's first
 * connect fails with "Failed to add external loop. Capacity is 1". This makes the
 * addon's registration idempotent: later registrations just take a reference, which
 * is what the client does itself when it knows the loop exists. Applications load the
 * client once and never need this.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

interface EventLoopBinding {
  register_as_event_loop(policy?: unknown): unknown;
  ref_as_event_loop(): unknown;
  __sharedEventLoop?: boolean;
}

const aerospikeMain = require.resolve('aerospike');
const fromAerospike = createRequire(aerospikeMain);
const bindings = fromAerospike('bindings') as (options: {
  bindings: string;
  module_root: string;
}) => EventLoopBinding;
const binding = bindings({
  bindings: 'aerospike.node',
  module_root: path.dirname(fromAerospike.resolve('aerospike/package.json')),
});

if (!binding.__sharedEventLoop) {
  const register = binding.register_as_event_loop;
  let registered = false;
  binding.register_as_event_loop = (policy?: unknown) => {
    if (registered) return binding.ref_as_event_loop();
    registered = true;
    return register.call(binding, policy);
  };
  binding.__sharedEventLoop = true;
}
