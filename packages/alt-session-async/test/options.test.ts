import { describe, expect, test } from '@jest/globals';
import { altSession, createTestSession, ErrorCode } from '../src';

/** Somewhere nothing listens: these tests never send a command. */
const url = 'redis://127.0.0.1:1';
const secret = 'secret';

/** Expects `create` to throw ERR_INVALID_OPTION naming `option`. */
function rejects(create: () => unknown, option: string): void {
  let thrown: unknown;
  try {
    const created = create() as { close?: () => Promise<void> };
    void created.close?.();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toMatchObject({ code: ErrorCode.InvalidOption, option });
}

describe('altSession(options) validation: each error names the option', () => {
  const cases: Array<[string, unknown, string]> = [
    ['options not an object', 'redis://x', 'options'],
    ['options null', null, 'options'],
    ['an unknown option', { url, secret, store: {} }, 'store'],
    ['no secret', { url }, 'secret'],
    ['an empty secret', { url, secret: '' }, 'secret'],
    ['an empty secret list', { url, secret: [] }, 'secret'],
    ['an empty secret in the list', { url, secret: ['a', ''] }, 'secret[1]'],
    ['a secret of the wrong type', { url, secret: 42 }, 'secret'],
    ['no connection at all', { secret }, 'redis'],
    ['redis not an object', { secret, redis: 'localhost' }, 'redis'],
    ['an unknown redis option', { secret, redis: { passwd: 'x' } }, 'redis.passwd'],
    ['an empty host', { secret, redis: { host: '' } }, 'redis.host'],
    ['port 0', { secret, redis: { port: 0 } }, 'redis.port'],
    ['port 70000', { secret, redis: { port: 70_000 } }, 'redis.port'],
    ['port as a string', { secret, redis: { port: '6379' } }, 'redis.port'],
    ['conflicting password aliases', { secret, redis: { password: 'a', pass: 'b' } }, 'redis.pass'],
    ['conflicting auth_pass', { secret, redis: { pass: 'a', auth_pass: 'b' } }, 'redis.auth_pass'],
    ['a negative db', { secret, redis: { db: -1 } }, 'redis.db'],
    ['a socket with a host', { secret, redis: { socket: '/tmp/r.sock', host: 'h' } }, 'redis.socket'],
    ['a non-redis URL', { secret, url: 'http://localhost' }, 'url'],
    ['a malformed URL', { secret, url: 'not a url' }, 'url'],
    ['a URL with a bad db', { secret, url: 'redis://h/abc' }, 'url'],
    ['client not an object', { secret, client: 'redis' }, 'client'],
    ['client of an unknown kind', { secret, client: {} }, 'client'],
    ['client with redis', { secret, client: {}, redis: {} }, 'redis'],
    ['client with url', { secret, client: {}, url }, 'url'],
    ['client with dbIndex', { secret, client: {}, session: { dbIndex: 1 } }, 'session.dbIndex'],
    ['session not an object', { url, secret, session: 1 }, 'session'],
    ['an unknown session option', { url, secret, session: { ttl: 5 } }, 'session.ttl'],
    ['tti 0 (alt-session read it as 300)', { url, secret, session: { tti: 0 } }, 'session.tti'],
    ['a negative tti', { url, secret, session: { tti: -1 } }, 'session.tti'],
    ['tti as a string', { url, secret, session: { tti: '300' } }, 'session.tti'],
    ['tti true', { url, secret, session: { tti: true } }, 'session.tti'],
    ['a fractional dbIndex', { url, secret, session: { dbIndex: 1.5 } }, 'session.dbIndex'],
    ['a negative dbIndex', { url, secret, session: { dbIndex: -1 } }, 'session.dbIndex'],
    ['dbIndex against redis.db', { secret, redis: { db: 2 }, session: { dbIndex: 1 } }, 'session.dbIndex'],
    ['an empty prefix', { url, secret, session: { prefix: '' } }, 'session.prefix'],
    ['a prefix with a newline', { url, secret, session: { prefix: 'a\nb' } }, 'session.prefix'],
    ['session.secure not a boolean', { url, secret, session: { secure: 'yes' } }, 'session.secure'],
    [
      'session.domain against cookie.domain',
      { url, secret, session: { domain: 'a.com' }, cookie: { domain: 'b.com' } },
      'session.domain',
    ],
    ['cookie not an object', { url, secret, cookie: [] }, 'cookie'],
    ['an unknown cookie option', { url, secret, cookie: { expires: new Date() } }, 'cookie.expires'],
    ['a cookie name with a space', { url, secret, cookie: { name: 'a b' } }, 'cookie.name'],
    ['a relative path', { url, secret, cookie: { path: 'app' } }, 'cookie.path'],
    ['a path with a semicolon', { url, secret, cookie: { path: '/a;b' } }, 'cookie.path'],
    ['a domain with a space', { url, secret, cookie: { domain: 'exa mple.com' } }, 'cookie.domain'],
    ['an unknown sameSite', { url, secret, cookie: { sameSite: 'bogus' } }, 'cookie.sameSite'],
    ["sameSite 'none' without secure", { url, secret, cookie: { sameSite: 'none' } }, 'cookie.sameSite'],
    ['httpOnly as a string', { url, secret, cookie: { httpOnly: 'true' } }, 'cookie.httpOnly'],
    ['maxAge given in ms by mistake', { url, secret, cookie: { maxAge: 86_400_000 } }, 'cookie.maxAge'],
    ['maxAge 0', { url, secret, cookie: { maxAge: 0 } }, 'cookie.maxAge'],
    ['maxLifetime 0', { url, secret, maxLifetime: 0 }, 'maxLifetime'],
    ['maxLifetime NaN', { url, secret, maxLifetime: Number.NaN }, 'maxLifetime'],
    ['commandTimeout 0', { url, secret, commandTimeout: 0 }, 'commandTimeout'],
    ['commandTimeout as a string', { url, secret, commandTimeout: '500' }, 'commandTimeout'],
  ];
  test.each(cases)('%s', (_label, options, option) => {
    rejects(() => altSession(options as never), option);
  });

  test('valid options create a middleware (aliases that agree are fine)', async () => {
    const made = [
      altSession({ url, secret }),
      altSession({
        redis: { host: '127.0.0.1', port: 1, pass: 'p', auth_pass: 'p', db: 0 },
        secret: ['a', 'b'],
      }),
      altSession({
        url,
        secret,
        session: { tti: false, prefix: 'app', dbIndex: 0, secure: true, domain: 'a.com' },
        cookie: {
          secure: true,
          domain: 'a.com',
          sameSite: 'none',
          maxAge: 60,
          httpOnly: false,
          name: 'x',
          path: '/x',
        },
        maxLifetime: 3600,
        commandTimeout: 250,
      }),
    ];
    for (const middleware of made) {
      expect(typeof middleware).toBe('function');
      expect(middleware.length).toBe(3);
      await middleware.close();
    }
  });
});

describe('the test doubles validate the same way', () => {
  test('mock() shares the middleware checks but needs no connection and no secret', async () => {
    rejects(() => altSession.mock({ session: { tti: 0 } }), 'session.tti');
    rejects(() => altSession.mock({ cookie: { sameSite: 'none' } }), 'cookie.sameSite');
    rejects(() => altSession.mock({ nope: 1 } as never), 'nope');
    await altSession.mock().close();
  });

  test('createTestSession() checks its options', () => {
    rejects(() => createTestSession({ id: '' }), 'id');
    rejects(() => createTestSession({ data: 'x' as never }), 'data');
    rejects(() => createTestSession({ data: { '@x': 1 } }), 'data.@x');
    rejects(() => createTestSession({ data: { a: undefined } }), 'data.a');
    rejects(() => createTestSession({ tti: 0 }), 'tti');
    rejects(() => createTestSession({ maxLifetime: -1 }), 'maxLifetime');
    rejects(() => createTestSession({ other: 1 } as never), 'other');
  });
});
