// One ts-jest preset for every package; each package adds its displayName.
// Type errors are caught by `pnpm typecheck`, so tests transpile only (much faster).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  maxWorkers: 2,
  // How long a worker may take to exit once its tests are done before jest kills it and
  // reports "failed to exit gracefully". A worker with nothing left open still needs
  // Node's own teardown after its 'exit' event: 0.2-2.2 s measured on 2 busy cores
  // (load 13-19), past jest's 500 ms default. A real leak (a socket, a ref'd timer)
  // never exits and is still reported, 10 s later.
  workerGracefulExitTimeout: 10_000,
};
