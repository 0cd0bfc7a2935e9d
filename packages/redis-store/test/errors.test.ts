import { describe, expect, test } from '@jest/globals';
import { classifyRedisError } from '../src/errors';

const codeOf = (err: unknown) => classifyRedisError(err, 'RedisStore').code;

describe('classifyRedisError', () => {
  test.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    ],
    ['ioredis: a closed connection', new Error('Connection is closed.')],
    ['a failover in progress', new Error('CLUSTERDOWN The cluster is down')],
    [
      'ioredis Cluster giving up on a master that is gone',
      new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
    ],
    [
      'ioredis Cluster giving up while the cluster is down',
      new Error('Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN Hash slot not served'),
    ],
  ])('%s is ERR_BACKEND_UNAVAILABLE', (_, err) => {
    expect(codeOf(err)).toBe('ERR_BACKEND_UNAVAILABLE');
  });

  test.each([
    ['an error reply', new Error('WRONGTYPE Operation against a key holding the wrong kind of value')],
    [
      'ioredis Cluster giving up after an error reply no retry fixes',
      new Error('Too many Cluster redirections. Last error: ReplyError: WRONGTYPE Operation against a key'),
    ],
  ])('%s is ERR_BACKEND', (_, err) => {
    expect(codeOf(err)).toBe('ERR_BACKEND');
  });

  test('a wrong password is ERR_BACKEND_CONFIG', () => {
    expect(codeOf(new Error('WRONGPASS invalid username-password pair'))).toBe('ERR_BACKEND_CONFIG');
  });
});
