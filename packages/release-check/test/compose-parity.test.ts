import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import {
  envEndpoints,
  hostEndpoints,
  interpolationDefault,
  parseCompose,
  servicesOfProfile,
} from '../src/compose-services';
import { findWorkspaceRoot } from '../src/workspace-packages';

// CI starts docker/compose.yml's own profiles, so images, commands and healthchecks are
// the same by construction; what could drift is which profiles start and the addresses
// the env variables point the tests at.

const root = findWorkspaceRoot(__dirname);
const services = parseCompose(readFileSync(join(root, 'docker/compose.yml'), 'utf8'));
const ci = parse(readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8')) as {
  env: Record<string, string>;
  jobs: Record<string, { services?: unknown }>;
};
const started = (ci.env.COMPOSE_PROFILES ?? '').split(',');

/** Which compose profile serves each env variable the test helpers read. */
const ENV_PROFILES: Record<string, string> = {
  REDIS_URL: 'redis',
  REDIS_REPLICA_URLS: 'redis-replicated',
  REDIS_CLUSTER_URLS: 'redis-cluster',
  AEROSPIKE_HOSTS: 'aerospike',
  COUCHDB_URL: 'couchdb',
};

/** Which profile serves each backend of STORE_TEST_REQUIRE (sentinel runs from the apt binaries). */
const BACKEND_PROFILES: Record<string, string | undefined> = {
  redis: 'redis',
  'redis-cluster': 'redis-cluster',
  'redis-sentinel': undefined,
  couchdb: 'couchdb',
  aerospike: 'aerospike',
};

describe('the CI backends are docker/compose.yml', () => {
  test('no job declares services of its own', () => {
    for (const job of Object.values(ci.jobs)) expect(job.services).toBeUndefined();
  });

  test('every profile CI starts exists in compose.yml', () => {
    expect(started.length).toBeGreaterThan(0);
    for (const profile of started) expect(servicesOfProfile(services, profile).length).toBeGreaterThan(0);
  });

  test.each(Object.entries(ENV_PROFILES))(
    '%s names exactly the addresses profile %s publishes',
    (name, profile) => {
      expect(started).toContain(profile);
      const published = servicesOfProfile(services, profile).flatMap(([, service]) => hostEndpoints(service));
      expect(envEndpoints(ci.env[name] ?? '').sort()).toEqual(published.sort());
    },
  );

  test('every backend CI requires is started or installed', () => {
    for (const backend of (ci.env.STORE_TEST_REQUIRE ?? '').split(',')) {
      expect(Object.keys(BACKEND_PROFILES)).toContain(backend);
      const profile = BACKEND_PROFILES[backend];
      if (profile) expect(started).toContain(profile);
    }
  });

  const serving = started.flatMap((profile) =>
    servicesOfProfile(services, profile).filter(([, service]) => hostEndpoints(service).length > 0),
  );
  test.each(serving)('%s has a healthcheck, so `up --wait` means ready', (_name, service) => {
    expect(service.healthcheck?.test).toBeDefined();
  });

  test("COUCHDB_URL carries compose's default admin credentials", () => {
    const couchdb = services.couchdb?.environment ?? {};
    const url = new URL(ci.env.COUCHDB_URL ?? '');
    expect([url.username, url.password]).toEqual([
      interpolationDefault(couchdb.COUCHDB_USER ?? ''),
      interpolationDefault(couchdb.COUCHDB_PASSWORD ?? ''),
    ]);
  });

  test('the Aerospike namespaces accept TTL writes (nsup-period set)', () => {
    expect(services.aerospike?.volumes?.some((v) => v.startsWith('./aerospike.conf:'))).toBe(true);
    const conf = readFileSync(join(root, 'docker/aerospike.conf'), 'utf8');
    const namespaces = [...conf.matchAll(/^namespace (\S+) \{([\s\S]*?)^\}/gm)];
    expect(namespaces.map((m) => m[1])).toEqual(expect.arrayContaining(['express']));
    for (const [, , body] of namespaces) expect(body).toMatch(/^\s*nsup-period [1-9]/m);
  });
});

describe('compose helpers', () => {
  test('hostEndpoints reads published ports and host-network redis commands', () => {
    expect(hostEndpoints({ ports: ['127.0.0.1:16379:6379'] })).toEqual(['127.0.0.1:16379']);
    const node = {
      network_mode: 'host',
      command: ['redis-server', '--bind', '127.0.0.1', '--port', '17001'],
    };
    expect(hostEndpoints(node)).toEqual(['127.0.0.1:17001']);
  });

  test('envEndpoints reads URLs and host:port lists', () => {
    expect(envEndpoints('redis://127.0.0.1:1,redis://127.0.0.1:2')).toEqual(['127.0.0.1:1', '127.0.0.1:2']);
    expect(envEndpoints('127.0.0.1:13000')).toEqual(['127.0.0.1:13000']);
    expect(envEndpoints('http://a:b@127.0.0.1:15984/')).toEqual(['127.0.0.1:15984']);
  });
});
