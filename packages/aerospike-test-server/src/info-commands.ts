/**
 * The info protocol (proto type 1): newline-separated text commands, each
 * answered as `<command as sent>\t<value>\n` in request order. Errors are
 * values starting with `ERROR:` (the 7.2+ form `ERROR:<code>:<message>`).
 */
import { CITRUSLEAF_EPOCH_SECONDS, nowClepochMs } from './clock';
import { replicasAllValue, replicasMasterValue, replicasValue } from './partition-map';
import { MAX_ALLOWED_TTL, N_PARTITIONS } from './protocol';
import type { Namespace, RecordStore } from './record-store';
import type { SecondaryIndexDef } from './sindex';

/** What info commands need to know about the server. */
export interface InfoContext {
  store: RecordStore;
  nodeName: string;
  clusterName: string;
  build: string;
  /** Address clients should use (service-clear-std). */
  serviceHost: string;
  port: number;
}

/** Reply of an unknown command. */
export const UNRECOGNIZED = 'ERROR::unrecognized command';

/** Feature list of a CE 8.1 node (what `features` reports). */
const FEATURES = [
  'batch-any',
  'batch-index',
  'blob-bits',
  'cdt-list',
  'cdt-map',
  'cluster-stable',
  'float',
  'geo',
  'sindex-explain',
  'pipelining',
  'peers',
  'pquery',
  'pscans',
  'query-show',
  'relaxed-sc',
  'replicas',
  'replicas-all',
  'replicas-master',
  'replicas-max',
  'truncate-namespace',
  'udf',
].join(';');

const err = (code: number | '', message: string): string => `ERROR:${code}:${message}`;

/** Parses `k=v;k=v` arguments. */
function parseArgs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) out.set(part, '');
    else out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

function nsArg(args: Map<string, string>): string | undefined {
  return args.get('namespace') ?? args.get('ns') ?? args.get('id');
}

function configLines(ns: Namespace): string[] {
  const c = ns.config;
  return [
    `allow-ttl-without-nsup=${c.allowTtlWithoutNsup}`,
    'background-query-max-rps=10000',
    'conflict-resolution-policy=generation',
    'conflict-resolve-writes=false',
    'default-read-touch-ttl-pct=0',
    `default-ttl=${c.defaultTtl}`,
    'disable-cold-start-eviction=false',
    'disable-write-dup-res=false',
    'disallow-expunge=false',
    'disallow-null-setname=false',
    'evict-hist-buckets=10000',
    'evict-indexes-memory-pct=0',
    'evict-tenths-pct=5',
    'force-long-queries=false',
    'ignore-migrate-fill-delay=false',
    'index-stage-size=1073741824',
    'inline-short-queries=false',
    `max-record-size=${c.maxRecordSize}`,
    'migrate-order=5',
    'migrate-retransmit-ms=5000',
    'migrate-skip-unreadable=false',
    'migrate-sleep=1',
    'nsup-hist-period=3600',
    `nsup-period=${c.nsupPeriod}`,
    'nsup-threads=1',
    'partition-tree-sprigs=256',
    'prefer-uniform-balance=true',
    'rack-id=0',
    'read-consistency-level-override=off',
    'reject-non-xdr-writes=false',
    'reject-xdr-writes=false',
    'replication-factor=1',
    'sindex-stage-size=1073741824',
    'single-query-threads=4',
    'stop-writes-sys-memory-pct=90',
    'strong-consistency=false',
    'transaction-pending-limit=20',
    'truncate-threads=4',
    'write-commit-level-override=off',
    'storage-engine=memory',
    'storage-engine.data-size=1073741824',
    'storage-engine.evict-used-pct=0',
    'storage-engine.stop-writes-avail-pct=5',
    'storage-engine.stop-writes-used-pct=70',
  ];
}

function namespaceStats(ns: Namespace): string {
  let objects = 0;
  for (const _ of ns.records.values()) objects++;
  return [
    'ns_cluster_size=1',
    'effective_replication_factor=1',
    `objects=${objects}`,
    'tombstones=0',
    `master_objects=${objects}`,
    'prole_objects=0',
    'non_replica_objects=0',
    'stop_writes=false',
    'clock_skew_stop_writes=false',
    ...configLines(ns),
  ].join(';');
}

function setsValue(store: RecordStore, onlyNs?: string, onlySet?: string): string {
  let out = '';
  for (const ns of store.namespaces.values()) {
    if (onlyNs !== undefined && ns.name !== onlyNs) continue;
    for (const [name, state] of ns.sets) {
      if (onlySet !== undefined && name !== onlySet) continue;
      const { objects, bytes } = ns.setStats(name);
      const sindexes = [...ns.sindexes.values()].filter((ix) => ix.set === name).length;
      out +=
        `ns=${ns.name}:set=${name}:objects=${objects}:tombstones=0:data_used_bytes=${bytes}` +
        `:truncate_lut=${state.truncateLutMs}:sindexes=${sindexes}:index_populating=false:truncating=false` +
        ':default-read-touch-ttl-pct=0:default-ttl=0:disable-eviction=false:enable-index=false' +
        ':stop-writes-count=0:stop-writes-size=0;';
    }
  }
  return out;
}

function sindexLine(ix: SecondaryIndexDef): string {
  return (
    `ns=${ix.namespace}:indexname=${ix.name}:set=${ix.set === '' ? 'NULL' : ix.set}:bin=${ix.bin}` +
    `:type=${ix.type}:indextype=default:context=NULL:exp=NULL:state=RW`
  );
}

function sindexStats(ns: Namespace, ix: SecondaryIndexDef): string {
  let entries = 0;
  for (const rec of ns.liveRecords(ix.set === '' ? undefined : ix.set)) {
    const p = rec.bins.get(ix.bin);
    if (p === undefined) continue;
    if ((ix.type === 'numeric' && p.type === 1) || (ix.type === 'string' && p.type === 3)) entries++;
  }
  return (
    `entries=${entries};used_bytes=16777216;entries_per_bval=${entries > 0 ? 1 : 0};` +
    `entries_per_rec=${entries > 0 ? 1 : 0};load_pct=100;load_time=0;stat_gc_recs=0`
  );
}

function sindexCreate(ctx: InfoContext, args: Map<string, string>): string {
  const ns = ctx.store.get(nsArg(args) ?? '');
  if (ns === undefined) return err('', 'namespace not found');
  const name = args.get('indexname');
  let bin = args.get('bin');
  let type = args.get('type')?.toLowerCase();
  const indexdata = args.get('indexdata'); // older form: indexdata=bin,type
  if (bin === undefined && indexdata !== undefined)
    [bin, type] = indexdata.split(',').map((s) => s.toLowerCase());
  if (name === undefined || name === '' || bin === undefined || bin === '')
    return err('', 'missing parameter');
  if (type !== 'numeric' && type !== 'string') return err('', 'bad type');
  const indextype = args.get('indextype')?.toLowerCase();
  if (indextype !== undefined && indextype !== 'default')
    return err('', 'index type not supported by this test server');
  if (args.has('context') || args.has('exp'))
    return err('', 'index context/expression not supported by this test server');
  const set = args.get('set') ?? '';
  if (ns.sindexes.has(name)) return err(200, 'index already exists');
  for (const ix of ns.sindexes.values()) {
    if (ix.set === set && ix.bin === bin && ix.type === type) return err(200, 'index already exists');
  }
  ns.sindexes.set(name, { name, namespace: ns.name, set, bin, type });
  return 'ok';
}

function truncate(ctx: InfoContext, args: Map<string, string>, wholeNamespace: boolean): string {
  const ns = ctx.store.get(nsArg(args) ?? '');
  if (ns === undefined) return err('', 'namespace not found');
  const set = args.get('set');
  if (!wholeNamespace && (set === undefined || set === '')) return err('', 'missing set');
  const now = nowClepochMs();
  let before = now;
  const lut = args.get('lut');
  if (lut !== undefined) {
    // lut is in nanoseconds since the Unix epoch
    if (!/^\d+$/.test(lut)) return err('', 'bad lut');
    before = Number(BigInt(lut) / 1000000n) - CITRUSLEAF_EPOCH_SECONDS * 1000;
    if (before > now) return err('', 'would truncate in the future');
    if (before < 0) return err('', 'lut before citrusleaf epoch');
  }
  ns.truncate(wholeNamespace ? undefined : set, before);
  return 'ok';
}

function parseNonNegInt(v: string): number | undefined {
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Seconds with an optional unit suffix (s, m, h, d), as the server accepts for TTLs. */
function parseSeconds(v: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/i.exec(v);
  if (m === null) return undefined;
  const mult: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
  return Number(m[1]) * (mult[(m[2] ?? '').toLowerCase()] ?? 1);
}

/** `true`/`yes` and `false`/`no` (prefix match, like the server). */
function parseBool(v: string): boolean | undefined {
  if (v.startsWith('true') || v.startsWith('yes')) return true;
  if (v.startsWith('false') || v.startsWith('no')) return false;
  return undefined;
}

/**
 * `set-config:context=namespace;id=NS;PARAM=VALUE`. Like the server, one
 * command changes one parameter (the first recognised one) and answers
 * `ok`, or an error when the value is refused.
 */
function setConfig(ctx: InfoContext, args: Map<string, string>): string {
  const context = args.get('context');
  if (context === undefined) return err('', 'missing context');
  if (context !== 'namespace') return err('', `context ${context} not supported by this test server`);
  const ns = ctx.store.get(args.get('id') ?? args.get('namespace') ?? '');
  if (ns === undefined) return err('', 'namespace not found');
  const c = ns.config;
  const allow = args.get('allow-ttl-without-nsup');
  if (allow !== undefined) {
    const b = parseBool(allow);
    if (b === undefined) return err('', 'bad allow-ttl-without-nsup');
    c.allowTtlWithoutNsup = b;
    return 'ok';
  }
  const defaultTtl = args.get('default-ttl');
  if (defaultTtl !== undefined) {
    const n = parseSeconds(defaultTtl);
    if (n === undefined || n > MAX_ALLOWED_TTL) return err('', 'bad default-ttl');
    // A default TTL needs something to expire the records.
    if (n !== 0 && c.nsupPeriod === 0 && !c.allowTtlWithoutNsup) {
      return err(
        '',
        'must configure non-zero nsup-period or allow-ttl-without-nsup true to set non-zero default-ttl',
      );
    }
    c.defaultTtl = n;
    return 'ok';
  }
  const maxRecordSize = args.get('max-record-size');
  if (maxRecordSize !== undefined) {
    const n = parseNonNegInt(maxRecordSize);
    if (n === undefined || n < 64 * 1024 || n > 8 * 1024 * 1024) return err('', 'bad max-record-size');
    c.maxRecordSize = n;
    return 'ok';
  }
  const nsupPeriod = args.get('nsup-period');
  if (nsupPeriod !== undefined) {
    const n = parseSeconds(nsupPeriod);
    if (n === undefined) return err('', 'bad nsup-period');
    if (n === 0 && c.defaultTtl !== 0 && !c.allowTtlWithoutNsup) {
      return err(
        '',
        'must configure allow-ttl-without-nsup true to set nsup-period 0 with non-zero default-ttl',
      );
    }
    c.nsupPeriod = n;
    return 'ok';
  }
  return err('', 'parameter not supported by this test server');
}

function getConfig(ctx: InfoContext, args: Map<string, string>): string {
  const context = args.get('context') ?? 'service';
  if (context === 'namespace') {
    const ns = ctx.store.get(nsArg(args) ?? '');
    if (ns === undefined) return err('', 'namespace not found');
    return configLines(ns).join(';');
  }
  if (context === 'service') {
    return [
      'advertise-ipv6=false',
      `cluster-name=${ctx.clusterName}`,
      'enable-benchmarks-fabric=false',
      'enable-health-check=false',
      'info-threads=16',
      'proto-fd-max=1024',
      'query-max-done=100',
      'service-threads=2',
      'transaction-max-ms=1000',
      'transaction-retry-ms=1002',
    ].join(';');
  }
  return err('', 'invalid context');
}

function serviceAddress(ctx: InfoContext): string {
  return `${ctx.serviceHost}:${ctx.port}`;
}

/** Evaluates one command (the text of one request line). */
export function runInfoCommand(ctx: InfoContext, command: string): string {
  const colon = command.indexOf(':');
  const name = colon < 0 ? command : command.slice(0, colon);
  const args = parseArgs(colon < 0 ? '' : command.slice(colon + 1));
  const namespaces = [...ctx.store.namespaces.keys()];
  const store = ctx.store;
  switch (name) {
    case 'node':
      return ctx.nodeName;
    case 'build':
      return ctx.build;
    case 'edition':
      return 'Aerospike Community Edition';
    case 'version':
      return `Aerospike Community Edition build ${ctx.build}`;
    case 'status':
      return 'ok';
    case 'cluster-name':
      return ctx.clusterName;
    case 'features':
      return FEATURES;
    case 'partitions':
      return String(N_PARTITIONS);
    case 'partition-generation':
    case 'peers-generation':
    case 'rebalance-generation':
      return '0';
    case 'cluster-stable':
    case 'cluster-key':
      return '1A2B3C4D5E6F';
    case 'replicas':
      return replicasValue(namespaces);
    case 'replicas-all':
      return replicasAllValue(namespaces);
    case 'replicas-master':
      return replicasMasterValue(namespaces);
    case 'peers-clear-std':
    case 'peers-clear-alt':
    case 'alumni-clear-std':
    case 'alumni-clear-alt':
      return `0,${ctx.port},[]`;
    case 'peers-tls-std':
    case 'peers-tls-alt':
    case 'alumni-tls-std':
    case 'alumni-tls-alt':
      return '0,,[]';
    case 'service':
    case 'service-clear-std':
      return serviceAddress(ctx);
    case 'service-clear-alt':
    case 'service-tls-std':
    case 'service-tls-alt':
    case 'services':
    case 'services-alumni':
    case 'services-alternate':
      return '';
    case 'user-agent-set':
      return 'ok';
    case 'namespaces':
      return namespaces.join(';');
    case 'sets':
      return setsValue(store);
    case 'statistics':
      return `cluster_size=1;cluster_key=1A2B3C4D5E6F;cluster_integrity=true;cluster_is_member=true;uptime=1;objects=${[
        ...store.namespaces.values(),
      ].reduce((n, ns) => n + ns.records.size, 0)};client_connections=1`;
    case 'udf-list':
      return '';
    case 'sindex':
    case 'sindex-list': {
      const only = nsArg(args);
      const lines: string[] = [];
      for (const ns of store.namespaces.values()) {
        if (only !== undefined && ns.name !== only) continue;
        for (const ix of ns.sindexes.values()) lines.push(`${sindexLine(ix)};`);
      }
      return lines.join('');
    }
    case 'sindex-create':
      return sindexCreate(ctx, args);
    case 'sindex-delete': {
      const ns = store.get(nsArg(args) ?? '');
      if (ns === undefined) return err('', 'namespace not found');
      const ixName = args.get('indexname') ?? '';
      if (!ns.sindexes.delete(ixName)) return err(201, 'index not found');
      return 'ok';
    }
    case 'truncate':
      return truncate(ctx, args, false);
    case 'truncate-namespace':
      return truncate(ctx, args, true);
    case 'set-config':
      return setConfig(ctx, args);
    case 'get-config':
      return getConfig(ctx, args);
    default:
      break;
  }
  // tree-style commands: namespace/NS, sets/NS[/SET], sindex/NS[/IDX]
  if (colon < 0 && command.includes('/')) {
    const [root, a, b] = command.split('/');
    if (root === 'namespace' && a !== undefined) {
      const ns = store.get(a);
      return ns === undefined ? err('', 'namespace not found') : namespaceStats(ns);
    }
    if (root === 'sets' && a !== undefined) return setsValue(store, a, b);
    if (root === 'sindex' && a !== undefined) {
      const ns = store.get(a);
      if (ns === undefined) return err('', 'namespace not found');
      if (b === undefined) return [...ns.sindexes.values()].map((ix) => `${sindexLine(ix)};`).join('');
      const ix = ns.sindexes.get(b);
      return ix === undefined ? err(201, 'no index') : sindexStats(ns, ix);
    }
  }
  return UNRECOGNIZED;
}

/** Commands answered when a request names none. */
const DEFAULT_COMMANDS = ['build', 'edition', 'node', 'partition-generation', 'version'];

/** Answers a whole info request body. */
export function handleInfoRequest(ctx: InfoContext, body: Buffer): Buffer {
  const text = body.toString('utf8');
  const commands = text.split('\n').filter((c) => c !== '');
  const list = commands.length > 0 ? commands : DEFAULT_COMMANDS;
  let out = '';
  for (const command of list) out += `${command}\t${runInfoCommand(ctx, command)}\n`;
  return Buffer.from(out, 'utf8');
}
