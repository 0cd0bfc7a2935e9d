// Starts the demo. With no settings it runs on the embedded default, PouchDB in memory:
// nothing to install, nothing to configure. `--help` lists the other stores.
const { createApp } = require('./app');
const { USAGE, UsageError, readConfig } = require('./config');
const { StoreUnavailableError, createStore } = require('./stores');

async function main() {
  const config = readConfig(process.argv.slice(2), process.env);
  if (config.help) {
    console.log(USAGE);
    return;
  }
  for (const warning of config.warnings) console.warn(`warning: ${warning}`);

  const created = await createStore(config.store, { url: config.url });
  const app = createApp(created.store, {
    storeName: created.name,
    packageName: created.packageName,
    detail: created.detail,
    secret: config.secret,
  });
  const server = app.listen(config.port, () => {
    const { port } = server.address();
    console.log(
      `session-stores demo on http://localhost:${port} (store: ${created.name}, ${created.detail})`,
    );
  });
  server.on('error', (err) => {
    console.error(`demo: cannot listen on port ${config.port}: ${err.message}`);
    process.exitCode = 1;
    created.close().catch(() => undefined);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    // Keep-alive connections from a browser would hold server.close() open for a while.
    server.closeAllConnections();
    created.close().then(
      () => process.exit(0),
      (err) => {
        console.error(`demo: closing the store failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  // Known problems (a bad flag, a store that is not available or not answering) get one line, not a stack.
  const known = err instanceof UsageError || err instanceof StoreUnavailableError;
  const storeError = typeof err?.code === 'string' && err.code.startsWith('ERR_');
  console.error(
    `demo: ${known ? err.message : storeError ? `${err.code}: ${err.message}` : err.stack || err}`,
  );
  process.exit(known ? 2 : 1);
});
