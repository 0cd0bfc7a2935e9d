import { describe, expect, test } from '@jest/globals';
import { parseRedisUrl, parseRedisUrlList } from '../src/redis-url';
import { encodeCommand, RespError, RespParser } from '../src/resp';

describe('RESP codec', () => {
  test('encodes a command as an array of bulk strings, counting bytes not characters', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });

  test('decodes every reply type, even when the bytes arrive one at a time', () => {
    const wire = Buffer.from(
      '+OK\r\n-ERR nope\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*2\r\n$1\r\na\r\n*1\r\n:1\r\n*-1\r\n',
    );
    const parser = new RespParser();
    const replies = [];
    for (const byte of wire) replies.push(...parser.push(Buffer.from([byte])));
    expect(replies).toEqual(['OK', new RespError('ERR nope'), 42, 'he\r\nl', null, ['a', [1]], null]);
    expect(replies[1]).toBeInstanceOf(RespError);
  });
});

describe('parseRedisUrl', () => {
  test('reads credentials, port and database', () => {
    expect(parseRedisUrl('redis://user:p%40ss@127.0.0.1:16379/3')).toMatchObject({
      host: '127.0.0.1',
      port: 16379,
      username: 'user',
      password: 'p@ss',
      db: 3,
    });
  });

  test('accepts bare host:port lists and refuses TLS', () => {
    expect(parseRedisUrlList('127.0.0.1:17001, ,localhost').map((e) => [e.host, e.port])).toEqual([
      ['127.0.0.1', 17001],
      ['localhost', 6379],
    ]);
    expect(() => parseRedisUrl('rediss://127.0.0.1:6380')).toThrow(/TLS/);
  });
});
