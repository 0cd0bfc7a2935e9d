import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { availability, findExecutable, isRequired, requiredBackends } from '../src';

// Fake binaries: availability only looks at PATH, it never runs them.
const root = mkdtempSync(join(tmpdir(), 'availability-'));
function binDir(name: string, files: Record<string, number>): string {
  const dir = mkdtempSync(join(root, `${name}-`));
  for (const [file, mode] of Object.entries(files)) {
    writeFileSync(join(dir, file), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, file), mode);
  }
  return dir;
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

const serverOnly = binDir('server', { 'redis-server': 0o755 });
const serverAndCli = binDir('server-cli', { 'redis-server': 0o755, 'redis-cli': 0o755 });
const notExecutable = binDir('noexec', { 'redis-server': 0o644 });
const empty = binDir('empty', {});

describe('findExecutable', () => {
  test('finds an executable file on PATH and skips non-executable ones', () => {
    expect(findExecutable('redis-server', { PATH: `${notExecutable}${delimiter}${serverOnly}` })).toBe(
      join(serverOnly, 'redis-server'),
    );
    expect(findExecutable('redis-server', { PATH: notExecutable })).toBeUndefined();
  });

  test('ignores empty and relative PATH entries', () => {
    expect(findExecutable('redis-server', { PATH: `${delimiter}relative${delimiter}` })).toBeUndefined();
    expect(findExecutable('redis-server', {})).toBeUndefined();
  });
});

describe('availability: redis', () => {
  test('REDIS_URL wins, even without a binary', () => {
    expect(availability('redis', { REDIS_URL: 'redis://127.0.0.1:16379', PATH: empty })).toEqual({
      available: true,
      source: 'env',
    });
  });

  test('a blank REDIS_URL counts as unset', () => {
    expect(availability('redis', { REDIS_URL: '  ', PATH: serverOnly })).toEqual({
      available: true,
      source: 'binary',
    });
  });

  test('without REDIS_URL or binary, the reason says how to install it', () => {
    expect(availability('redis', { PATH: empty })).toEqual({
      available: false,
      reason:
        'redis-server not found on PATH: install it with "apt-get install redis-server" or set REDIS_URL',
    });
    expect(availability('redis', { PATH: notExecutable }).available).toBe(false);
  });
});

describe('availability: redis-cluster', () => {
  test('REDIS_CLUSTER_URLS wins; REDIS_URL alone is not a cluster', () => {
    expect(availability('redis-cluster', { REDIS_CLUSTER_URLS: '127.0.0.1:17001', PATH: empty })).toEqual({
      available: true,
      source: 'env',
    });
    expect(
      availability('redis-cluster', { REDIS_URL: 'redis://127.0.0.1:16379', PATH: empty }).available,
    ).toBe(false);
  });

  test('needs redis-cli as well as redis-server to form the cluster', () => {
    expect(availability('redis-cluster', { PATH: serverOnly })).toEqual({
      available: false,
      reason:
        'redis-cli not found on PATH: install it with "apt-get install redis-tools" or set REDIS_CLUSTER_URLS',
    });
    expect(availability('redis-cluster', { PATH: serverAndCli })).toEqual({
      available: true,
      source: 'binary',
    });
  });
});

describe('availability: redis-sentinel', () => {
  test('redis-server suffices (it runs as a sentinel with --sentinel)', () => {
    expect(availability('redis-sentinel', { PATH: serverOnly })).toEqual({
      available: true,
      source: 'binary',
    });
  });

  test('has no env form: REDIS_URL does not make it available', () => {
    const result = availability('redis-sentinel', { REDIS_URL: 'redis://127.0.0.1:16379', PATH: empty });
    expect(result).toEqual({
      available: false,
      reason: 'redis-server not found on PATH: install it with "apt-get install redis-server"',
    });
  });
});

describe('availability: couchdb and aerospike', () => {
  test('COUCHDB_URL wins, else the in-process express-pouchdb server', () => {
    expect(availability('couchdb', { COUCHDB_URL: 'http://127.0.0.1:15984' })).toEqual({
      available: true,
      source: 'env',
    });
    expect(availability('couchdb', { PATH: empty })).toEqual({ available: true, source: 'in-process' });
  });

  test('aerospike needs AEROSPIKE_HOSTS', () => {
    expect(availability('aerospike', { AEROSPIKE_HOSTS: '127.0.0.1:13000' })).toEqual({
      available: true,
      source: 'env',
    });
    const missing = availability('aerospike', { PATH: empty });
    expect(missing.available).toBe(false);
    expect(missing.available === false && missing.reason).toMatch(
      /^no Aerospike server: set AEROSPIKE_HOSTS/,
    );
  });
});

describe('STORE_TEST_REQUIRE', () => {
  test('parses a comma-separated list, tolerating spaces and blanks', () => {
    expect(requiredBackends({ STORE_TEST_REQUIRE: ' redis, couchdb,,redis-cluster ' })).toEqual([
      'redis',
      'couchdb',
      'redis-cluster',
    ]);
    expect(requiredBackends({})).toEqual([]);
  });

  test('an unknown name throws instead of silently requiring nothing', () => {
    expect(() => requiredBackends({ STORE_TEST_REQUIRE: 'redis,redsi' })).toThrow(
      'STORE_TEST_REQUIRE names unknown backend(s) redsi',
    );
  });

  test('accepts chromium, checked by the demo browser test itself, without making it a backend', () => {
    expect(requiredBackends({ STORE_TEST_REQUIRE: 'redis,chromium' })).toEqual(['redis']);
    expect(() => requiredBackends({ STORE_TEST_REQUIRE: 'chromum' })).toThrow(
      'STORE_TEST_REQUIRE names unknown backend(s) chromum; known: redis, redis-cluster, redis-sentinel, couchdb, aerospike, chromium',
    );
  });

  test('isRequired matches whole names only', () => {
    const env = { STORE_TEST_REQUIRE: 'redis-cluster' };
    expect(isRequired('redis-cluster', env)).toBe(true);
    expect(isRequired('redis', env)).toBe(false);
  });
});
