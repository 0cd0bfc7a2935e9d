import type { RespTarget } from './resp';

/** A parsed `redis://` URL: where to connect plus the original URL to hand to a store's client. */
export interface RedisEndpoint extends RespTarget {
  url: string;
}

/**
 * Parses `redis://[user[:password]@]host[:port][/db]`; a bare `host:port` is accepted too, so
 * `REDIS_CLUSTER_URLS=127.0.0.1:17001,127.0.0.1:17002` works.
 */
export function parseRedisUrl(raw: string): RedisEndpoint {
  const text = raw.trim();
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `redis://${text}`);
  if (url.protocol === 'rediss:') {
    throw new Error(`${raw}: TLS (rediss://) is not supported by the test helpers' RESP client`);
  }
  if (url.protocol !== 'redis:') throw new Error(`${raw}: expected a redis:// URL`);
  const db = url.pathname.replace(/^\//, '');
  return {
    url: url.toString().replace(/\/$/, ''),
    // WHATWG URL keeps IPv6 brackets in hostname; net.connect wants them off.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: db ? Number(db) : undefined,
  };
}

/** Splits a comma-separated list of URLs (or host:port pairs), ignoring blanks. */
export function parseRedisUrlList(raw: string): RedisEndpoint[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(parseRedisUrl);
}
