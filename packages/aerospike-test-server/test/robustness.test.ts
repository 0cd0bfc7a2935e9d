/**
 * Raw-socket tests: framing across TCP chunks, pipelined messages, bad
 * input (which must close the connection, never the server), compressed
 * requests, admin messages, and a server-side digest.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type AsMsg, emptyHeader, encodeAsMsg } from '../src/as-msg';
import { encodeProto, ProtoType } from '../src/framing';
import { ParticleType } from '../src/particles';
import { FieldType, Info1, Info2, OpType } from '../src/protocol';
import { type AerospikeTestServer, startAerospikeTestServer } from '../src/server';
import { parseUnits, RawConnection, sleep } from './helpers';

const DIGEST_SESS1 = Buffer.from('72ec96a5f2efe56803963a450c26770373dde019', 'hex'); // test/sessions/"sess-1"

function field(type: number, data: Buffer | string): { type: number; data: Buffer } {
  return { type, data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data };
}

function putMsg(digest: Buffer, bins: Record<string, string>, ttl = 60): Buffer {
  const msg: AsMsg = {
    header: { ...emptyHeader(), info2: Info2.WRITE, recordTtl: ttl, transactionTtl: 1000 },
    fields: [
      field(FieldType.NAMESPACE, 'test'),
      field(FieldType.SET, 'sessions'),
      field(FieldType.DIGEST_RIPE, digest),
    ],
    ops: Object.entries(bins).map(([name, v]) => ({
      op: OpType.WRITE,
      particleType: ParticleType.STRING,
      flags: 0,
      name,
      value: Buffer.from(v, 'utf8'),
    })),
  };
  return encodeProto(ProtoType.AS_MSG, encodeAsMsg(msg));
}

function getMsg(fields: Array<{ type: number; data: Buffer }>): Buffer {
  const msg: AsMsg = { header: { ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, fields, ops: [] };
  return encodeProto(ProtoType.AS_MSG, encodeAsMsg(msg));
}

describe('robustness and framing', () => {
  let server: AerospikeTestServer;
  beforeAll(async () => {
    server = await startAerospikeTestServer({ thread: 'current' });
  });
  afterAll(async () => {
    await server.stop();
  });

  async function serverAlive(): Promise<void> {
    const c = await RawConnection.open(server.port);
    expect(await c.info('status\n')).toBe('status\tok\n');
    c.close();
  }

  test('a message split into 1-byte chunks is assembled', async () => {
    const c = await RawConnection.open(server.port);
    const buf = putMsg(DIGEST_SESS1, { session: 'split' });
    for (const byte of buf) {
      c.send(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const [unit] = parseUnits((await c.next()).body);
    expect(unit?.header.resultCode).toBe(0);
    expect(unit?.header.generation).toBe(1);
    c.close();
  });

  test('several messages in one chunk are answered in order', async () => {
    const c = await RawConnection.open(server.port);
    c.send(
      Buffer.concat([
        encodeProto(ProtoType.INFO, Buffer.from('build\n')),
        putMsg(DIGEST_SESS1, { session: 'pipelined' }),
        getMsg([
          field(FieldType.NAMESPACE, 'test'),
          field(FieldType.SET, 'sessions'),
          field(FieldType.DIGEST_RIPE, DIGEST_SESS1),
        ]),
        encodeProto(ProtoType.INFO, Buffer.from('namespaces\n')),
      ]),
    );
    expect((await c.next()).body.toString()).toBe('build\t8.1.0.3\n');
    expect(parseUnits((await c.next()).body)[0]?.header.resultCode).toBe(0);
    const got = parseUnits((await c.next()).body)[0];
    expect(got?.ops[0]?.value.toString()).toBe('pipelined');
    expect((await c.next()).body.toString()).toBe('namespaces\ttest;express\n');
    c.close();
  });

  test('a 1.1 MB message over many chunks gets rc 13 and the connection stays usable', async () => {
    const c = await RawConnection.open(server.port);
    const buf = putMsg(DIGEST_SESS1, { session: 'x'.repeat(1_100_000) });
    for (let i = 0; i < buf.length; i += 65536) c.send(buf.subarray(i, i + 65536));
    expect(parseUnits((await c.next()).body)[0]?.header.resultCode).toBe(13);
    expect(await c.info('status\n')).toBe('status\tok\n');
    c.close();
  });

  test.each([
    ['bad version', Buffer.from([3, 1, 0, 0, 0, 0, 0, 5])],
    ['unknown type', Buffer.from([2, 9, 0, 0, 0, 0, 0, 5])],
    ['body over 128 MiB', Buffer.from([2, 3, 0, 0, 0x10, 0, 0, 0])],
  ])('malformed header (%s) closes the connection', async (_name, header) => {
    const c = await RawConnection.open(server.port);
    c.send(header);
    expect(await c.waitClosed()).toBe(true);
    await serverAlive();
  });

  test('an as_msg whose sizes do not add up gets rc 4, then the connection closes', async () => {
    const c = await RawConnection.open(server.port);
    const body = encodeAsMsg({
      header: { ...emptyHeader(), info1: Info1.READ },
      fields: [field(FieldType.NAMESPACE, 'test')],
      ops: [],
    });
    body.writeUInt32BE(1000, 22); // field size beyond the message
    c.send(encodeProto(ProtoType.AS_MSG, body));
    expect(parseUnits((await c.next()).body)[0]?.header.resultCode).toBe(4);
    expect(await c.waitClosed()).toBe(true);
    await serverAlive();
  });

  test('random garbage never takes the server down', async () => {
    for (let i = 0; i < 200; i++) {
      const c = await RawConnection.open(server.port);
      const type = [1, 2, 3, 4][i % 4] ?? 3;
      const body = randomBytes(i % 50);
      if (type === 3 && body.length > 0) body[0] = 22; // mostly-valid as_msg headers reach the parser
      c.send(Buffer.concat([encodeProto(type, body), randomBytes(i % 7)]));
      await sleep(1);
      c.close();
    }
    await serverAlive();
  });

  test('the server computes the digest when only the KEY field is sent', async () => {
    const c = await RawConnection.open(server.port);
    c.send(putMsg(DIGEST_SESS1, { session: 'by-digest' }));
    await c.next();
    c.send(
      getMsg([
        field(FieldType.NAMESPACE, 'test'),
        field(FieldType.SET, 'sessions'),
        field(FieldType.KEY, Buffer.concat([Buffer.from([ParticleType.STRING]), Buffer.from('sess-1')])),
      ]),
    );
    const unit = parseUnits((await c.next()).body)[0];
    expect(unit?.header.resultCode).toBe(0);
    expect(unit?.ops[0]?.value.toString()).toBe('by-digest');
    c.close();
  });

  test('unknown namespace → rc 20; no digest and no key → rc 4', async () => {
    const c = await RawConnection.open(server.port);
    c.send(getMsg([field(FieldType.NAMESPACE, 'nosuch'), field(FieldType.DIGEST_RIPE, DIGEST_SESS1)]));
    expect(parseUnits((await c.next()).body)[0]?.header.resultCode).toBe(20);
    c.send(getMsg([field(FieldType.NAMESPACE, 'test'), field(FieldType.SET, 'sessions')]));
    // a request without digest/key is a scan of the set, so it ends with LAST
    const { units } = await c.readUntilLast();
    expect(units.at(-1)?.header.info3).toBe(1);
    c.send(getMsg([field(FieldType.NAMESPACE, 'test'), field(FieldType.DIGEST_RIPE, Buffer.alloc(5))]));
    expect(parseUnits((await c.next()).body)[0]?.header.resultCode).toBe(4);
    c.close();
  });

  test('a compressed (type 4) request is answered like the plain one', async () => {
    const c = await RawConnection.open(server.port);
    const inner = putMsg(DIGEST_SESS1, { session: 'zipped' });
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE(BigInt(inner.length));
    c.send(encodeProto(ProtoType.AS_MSG_COMPRESSED, Buffer.concat([size, deflateSync(inner)])));
    const unit = parseUnits((await c.next()).body)[0];
    expect(unit?.header.resultCode).toBe(0);
    expect(
      server.records('test', 'sessions').find((r) => r.digest === DIGEST_SESS1.toString('hex'))?.bins.session,
    ).toBe('zipped');
    c.close();
  });

  test('admin (security) messages get "security not supported" (Community Edition)', async () => {
    const c = await RawConnection.open(server.port);
    c.send(encodeProto(ProtoType.ADMIN, Buffer.alloc(16)));
    const m = await c.next();
    expect(m.type).toBe(ProtoType.ADMIN);
    expect(m.body[1]).toBe(51);
    c.close();
  });
});
