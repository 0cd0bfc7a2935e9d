/**
 * Standalone entry: `node bin/aerospike-test-server.js [--port 3000] [--host 127.0.0.1]`.
 * Runs until SIGINT/SIGTERM.
 */
import { startAerospikeTestServer } from './server';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Parses argv, starts the server, prints where it listens. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const port = Number(argValue(argv, '--port') ?? process.env.AEROSPIKE_TEST_PORT ?? 3000);
  const host = argValue(argv, '--host') ?? '127.0.0.1';
  const server = await startAerospikeTestServer({ port, host, thread: 'current' });
  process.stdout.write(
    `aerospike-test-server listening on ${server.hostsString} (node ${server.nodeName})\n`,
  );
  const shutdown = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
