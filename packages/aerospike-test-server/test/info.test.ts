/** Info protocol: the client's handshake (golden), and the commands a session store uses. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type AerospikeTestServer, startAerospikeTestServer } from '../src/server';
import { RawConnection } from './helpers';

const WIRE_DIR = process.env.AEROSPIKE_WIRE_DIR ?? path.resolve(__dirname, 'golden');
const GOLDEN_NODE = 'BB901000000FC02';

describe('info commands', () => {
  let server: AerospikeTestServer;
  let c: RawConnection;
  beforeAll(async () => {
    server = await startAerospikeTestServer({ thread: 'current', nodeName: GOLDEN_NODE });
    c = await RawConnection.open(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.stop();
  });

  if (!existsSync(path.join(WIRE_DIR, '01-connect-tend.json')))
    throw new Error(`no golden transcripts in ${WIRE_DIR}`);
  const goldenTest = test;
  goldenTest('handshake and tend replies match the real server (port substituted)', async () => {
    const msgs = JSON.parse(readFileSync(path.join(WIRE_DIR, '01-connect-tend.json'), 'utf8')) as Array<{
      dir?: string;
      decoded?: { info?: { text: string } };
    }>;
    const infos = msgs.filter((m) => m.decoded?.info !== undefined);
    let compared = 0;
    for (let i = 0; i + 1 < infos.length; i += 2) {
      const req = infos[i];
      const rep = infos[i + 1];
      expect(req?.dir).toBe('c2s');
      const ours = await c.info(req?.decoded?.info?.text ?? '');
      expect(ours).toBe((rep?.decoded?.info?.text ?? '').replace(',3000,', `,${server.port},`));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  });

  test('replicas: every partition of every namespace, regime 0, one replica', async () => {
    const text = await c.info('replicas\n');
    const value = text.split('\t')[1]?.trimEnd() ?? '';
    const parts = value.split(';');
    expect(parts.map((p) => p.split(':')[0])).toEqual(['test', 'express']);
    for (const p of parts) {
      const [regime, n, b64] = (p.split(':')[1] ?? '').split(',');
      expect([regime, n]).toEqual(['0', '1']);
      const bits = Buffer.from(b64 ?? '', 'base64');
      expect(bits.length).toBe(512);
      expect(bits.every((b) => b === 0xff)).toBe(true);
    }
  });

  test('service-clear-std, peers, cluster-name, status, features', async () => {
    expect(await c.info('service-clear-std\n')).toBe(`service-clear-std\t127.0.0.1:${server.port}\n`);
    expect(await c.info('peers-clear-std\npeers-generation\n')).toBe(
      `peers-clear-std\t0,${server.port},[]\npeers-generation\t0\n`,
    );
    expect(await c.info('cluster-name\nstatus\n')).toBe('cluster-name\tlocal-dev\nstatus\tok\n');
    expect(await c.info('features\n')).toContain('pscans');
  });

  test('get-config returns the namespace fields the store cares about', async () => {
    const text = await c.info('get-config:context=namespace;id=test\n');
    for (const kv of [
      'nsup-period=1',
      'default-ttl=0',
      'allow-ttl-without-nsup=false',
      'max-record-size=1048576',
      'replication-factor=1',
    ]) {
      expect(text).toContain(kv);
    }
    expect(await c.info('get-config:context=namespace;namespace=express\n')).toContain('nsup-period=1');
  });

  test('set-config changes config; bad input gives ERROR replies', async () => {
    expect(await c.info('set-config:context=namespace;id=test;default-ttl=100\n')).toBe(
      'set-config:context=namespace;id=test;default-ttl=100\tok\n',
    );
    expect(await c.info('get-config:context=namespace;id=test\n')).toContain('default-ttl=100');
    // default-ttl needs nsup
    expect(await c.info('set-config:context=namespace;id=test;nsup-period=0\n')).toContain('\tERROR:');
    expect(await c.info('set-config:context=namespace;id=test;default-ttl=0\n')).toContain('\tok');
    expect(await c.info('set-config:context=namespace;id=nosuch;nsup-period=0\n')).toContain('\tERROR:');
    expect(await c.info('set-config:context=namespace;id=test;no-such-param=1\n')).toContain('\tERROR:');
  });

  test('unknown commands answer ERROR, other commands in the same request still answer', async () => {
    expect(await c.info('bogus\nbuild\n')).toBe('bogus\tERROR::unrecognized command\nbuild\t8.1.0.3\n');
  });

  test('truncate with lut in the future is refused; truncate-namespace works', async () => {
    const future = (BigInt(Date.now() + 3_600_000) * 1_000_000n).toString();
    expect(await c.info(`truncate:namespace=test;set=s;lut=${future}\n`)).toContain('\tERROR:');
    expect(await c.info('truncate-namespace:namespace=test\n')).toBe(
      'truncate-namespace:namespace=test\tok\n',
    );
  });

  test('sindex create/list/stat/delete', async () => {
    expect(await c.info('sindex-create:namespace=test;set=s;indexname=ix;bin=n;type=NUMERIC\n')).toContain(
      '\tok',
    );
    expect(await c.info('sindex-create:namespace=test;set=s;indexname=ix;bin=n;type=NUMERIC\n')).toContain(
      '\tERROR:200:',
    );
    expect(await c.info('sindex-list:namespace=test\n')).toContain('indexname=ix:set=s:bin=n:type=numeric');
    expect(await c.info('sindex/test/ix\n')).toContain('load_pct=100');
    expect(await c.info('sindex-delete:namespace=test;indexname=ix\n')).toContain('\tok');
    expect(await c.info('sindex-delete:namespace=test;indexname=ix\n')).toContain('\tERROR:201:');
  });
});
