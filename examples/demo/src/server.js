// Starts the demo on the embedded default store: nothing to install, nothing to configure.
const { MemoryStore } = require('@session-stores/core');
const { createApp } = require('./app');

const port = Number(process.env.PORT ?? 3000);
const store = new MemoryStore({ maxSessions: 10_000 });
const app = createApp(store, { storeName: 'MemoryStore (@session-stores/core, in memory)' });

const server = app.listen(port, () => {
  console.log(`session-stores demo on http://localhost:${server.address().port} (store: in-memory)`);
});

const stop = () => server.close(() => store.close().then(() => process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
