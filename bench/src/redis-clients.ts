import { Redis } from 'ioredis';
import { createClient } from 'redis';

/** A connected node-redis client. */
export type NodeRedisClient = ReturnType<typeof createClient>;

/** Connects a node-redis client; connection errors after start-up are logged once, not thrown. */
export async function connectNodeRedis(url: string): Promise<NodeRedisClient> {
  const client = createClient({ url });
  let logged = false;
  client.on('error', (err: unknown) => {
    if (!logged) console.error(`  node-redis client error: ${String(err)}`);
    logged = true;
  });
  await client.connect();
  return client;
}

/** Closes a node-redis client, waiting for replies in flight. */
export async function closeNodeRedis(client: NodeRedisClient): Promise<void> {
  if (client.isOpen) await client.close();
}

/**
 * Connects an ioredis client with auto-pipelining on: commands issued in the same tick go
 * out in one write, which is how ioredis is usually deployed for throughput.
 */
export async function connectIoredis(url: string): Promise<Redis> {
  const client = new Redis(url, { enableAutoPipelining: true, lazyConnect: true, maxRetriesPerRequest: 1 });
  let logged = false;
  client.on('error', (err: unknown) => {
    if (!logged) console.error(`  ioredis client error: ${String(err)}`);
    logged = true;
  });
  await client.connect();
  return client;
}

/** Closes an ioredis client after the replies in flight. */
export async function closeIoredis(client: Redis): Promise<void> {
  if (client.status !== 'end') await client.quit();
}
