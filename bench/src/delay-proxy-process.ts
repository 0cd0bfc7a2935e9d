/**
 * A child process holding one `startDelayProxy` of `@session-stores/test-servers` (argv: target
 * host, target port, delay in ms), so that the proxy's timers and copying do not share the event
 * loop of the store being measured. Sends `{ port }` once listening; stops when the parent goes.
 */
import { startDelayProxy } from '@session-stores/test-servers';

const [host = '127.0.0.1', port = '0', delay = '50'] = process.argv.slice(2);

startDelayProxy({ host, port: Number(port) }, Number(delay)).then(
  (proxy) => {
    process.send?.({ host: proxy.host, port: proxy.port });
    process.on('disconnect', () => {
      void proxy.stop().finally(() => process.exit(0));
    });
  },
  (err: unknown) => {
    process.send?.({ error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
