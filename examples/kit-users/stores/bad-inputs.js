// Unusable inputs for the command line, chosen by BAD_INPUT. A setup() starts a child
// process (a stand-in for a backend) and records its pid, so the test can check that
// teardown stopped it whatever went wrong.
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const session = require('express-session');

let backend;

/** get() never calls back: a store whose backend stopped answering. */
class HangingStore extends session.MemoryStore {
  get() {}
}

const factories = {
  throws: () => {
    throw new Error('cannot reach the database at 127.0.0.1:1');
  },
  'never-resolves': () => new Promise(() => {}),
  'hanging-store': () => new HangingStore(),
  'not-a-store': () => ({ hello: 'world' }),
};

module.exports = {
  setup() {
    backend = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    if (process.env.BACKEND_PID_FILE) writeFileSync(process.env.BACKEND_PID_FILE, String(backend.pid));
  },
  async teardown() {
    if (!backend || backend.exitCode !== null) return;
    const exited = new Promise((resolve) => backend.once('exit', resolve));
    backend.kill();
    await exited;
  },
  createStore: factories[process.env.BAD_INPUT],
};
