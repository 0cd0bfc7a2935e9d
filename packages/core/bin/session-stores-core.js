#!/usr/bin/env node
// `npx @session-stores/core conformance ./my-store.js`: the conformance kit without a test runner.
require('../dist/conformance/index.js').runConformanceCommand(process.argv.slice(2));
