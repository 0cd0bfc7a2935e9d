import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatCommands, formatMb, formatMs, formatRate } from './format';
import { renderKeyRead } from './key-read-bench';
import { renderOverlap } from './overlap-bench';
import type { BenchResults, HttpResult, HttpScenario, StoreResult, TargetResult } from './results';
import { renderStaleRead } from './stale-read-bench';
import type { Summary } from './stats';
import { type HttpOpName, NO_SESSIONS, type OpName, SUBJECTS, subjectNamed, ZERO_COST } from './subjects';
import { renderUserSessions } from './user-sessions-bench';

const STORE_OPS: readonly OpName[] = [
  'set',
  'get',
  'update',
  'touch',
  'get-missing',
  'destroy',
  'length',
  'all',
  'clear',
];
const ENUMERATION: ReadonlySet<OpName> = new Set(['length', 'all', 'clear']);
const HTTP_SCENARIOS: readonly HttpScenario[] = ['read', 'write'];

/** Renders rows as an aligned text table; `right` marks the columns aligned right (numbers). */
export function renderTable(
  headers: readonly string[],
  rows: readonly string[][],
  right: readonly number[],
): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (right.includes(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function labelOf(name: string): string {
  return subjectNamed(name)?.label ?? name;
}

/** Names of the subjects that another subject of this run is compared with. */
function anchorsIn(names: readonly string[]): Set<string> {
  return new Set(names.flatMap((n) => subjectNamed(n)?.anchor ?? []));
}

function ratioText(value: number, base: number | undefined, against: string): string {
  if (!base || base <= 0) return `n/a (${labelOf(against)} not measured)`;
  const ratio = value / base;
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}x ${labelOf(against)}`;
}

/** "61.1k-82.5k": the lowest and highest round, so the noise is visible beside the median. */
function rangeText(rates: readonly number[] | undefined): string {
  if (!rates || rates.length < 2) return '';
  return `${formatRate(Math.min(...rates))}-${formatRate(Math.max(...rates))}`;
}

function storeFigure(results: readonly StoreResult[], name: string, op: OpName): Summary | undefined {
  const result = results.find((r) => r.subject === name && r.status === 'ok');
  return result?.ops[op];
}

function httpFigure(
  results: readonly HttpResult[],
  name: string,
  scenario: HttpScenario,
): number | undefined {
  return results.find((r) => r.subject === name && r.status === 'ok')?.scenarios[scenario]?.perSecond;
}

/**
 * The "vs anchor" cell of subject `name`: its ratio to its anchor when the anchor ran
 * (`n/a` when it ran without this figure), 'anchor' for an anchor, else ''.
 */
function vsAnchor(
  name: string,
  perSecond: number,
  anchors: ReadonlySet<string>,
  anchorRan: (anchor: string) => boolean,
  anchorRate: (anchor: string) => number | undefined,
): string {
  const anchor = subjectNamed(name)?.anchor;
  if (anchor !== undefined && anchorRan(anchor)) return ratioText(perSecond, anchorRate(anchor), anchor);
  return anchors.has(name) ? 'anchor' : '';
}

/** The cells every figure table starts with: subject, rate, the rounds' range, p50, p99. */
function figureCells(
  label: string,
  figure: { perSecond: number; roundRates?: readonly number[] | undefined; p50Ms: number; p99Ms: number },
): string[] {
  return [
    label,
    formatRate(figure.perSecond),
    rangeText(figure.roundRates),
    formatMs(figure.p50Ms),
    formatMs(figure.p99Ms),
  ];
}

/** One table per store-level operation: rate, latency, ratio to the anchor, share of the raw client. */
function storeTables(results: BenchResults): string[] {
  const names = results.store.map((r) => r.subject);
  const anchors = anchorsIn(names);
  const out: string[] = [];
  for (const op of STORE_OPS) {
    const rows: string[][] = [];
    for (const result of results.store) {
      const figure = result.ops[op];
      if (result.status !== 'ok' || !figure) continue;
      const subject = subjectNamed(result.subject);
      const vs = vsAnchor(
        result.subject,
        figure.perSecond,
        anchors,
        (anchor) => names.includes(anchor),
        (anchor) => storeFigure(results.store, anchor, op)?.perSecond,
      );
      const raw = subject?.raw ? storeFigure(results.store, subject.raw, op) : undefined;
      const ofRaw =
        subject?.raw && raw
          ? `${Math.round((figure.perSecond / raw.perSecond) * 100)}% ${labelOf(subject.raw)}`
          : '';
      rows.push([
        ...figureCells(result.label, figure),
        vs || (subject?.kind === 'raw' ? 'raw ceiling' : ''),
        ofRaw,
      ]);
    }
    if (rows.length === 0) continue;
    const notes = results.store
      .filter((r) => r.status === 'ok' && r.ops[op])
      .flatMap((r) => {
        const note = subjectNamed(r.subject)?.notes?.[op];
        return note ? [`  note: ${note}`] : [];
      });
    const what = ENUMERATION.has(op)
      ? `${op} over ${results.options.sessions.toLocaleString('en-US')} sessions, one call at a time`
      : `${op}, ${results.options.concurrency} in flight, ${results.options.ops.toLocaleString('en-US')} ops`;
    const rounds = results.options.rounds > 1 ? ` (median of ${results.options.rounds} rounds)` : '';
    const rate = ENUMERATION.has(op) ? 'calls/s' : 'ops/s';
    const headers = ['subject', rate, 'rounds', 'p50 ms', 'p99 ms', 'vs anchor', 'of raw'];
    out.push([`${what}${rounds}`, renderTable(headers, rows, [1, 2, 3, 4]), ...notes].join('\n'));
  }
  return out;
}

/** The heap of cached sessions, per subject with a cache probe and per variant. */
function cacheMemoryTable(results: BenchResults): string | undefined {
  if (results.cacheMemory.length === 0) return undefined;
  const kb = (bytes: number | null, sessions: number): string =>
    bytes === null || sessions === 0 ? '-' : `${(bytes / sessions / 1024).toFixed(2)} KB`;
  const rows: string[][] = [];
  for (const r of results.cacheMemory) {
    rows.push(
      r.status === 'ok'
        ? [
            labelOf(r.subject),
            r.variant,
            String(r.cached ?? '-'),
            formatMb(r.heapDelta),
            kb(r.heapDelta, r.sessions),
          ]
        : [labelOf(r.subject), r.variant, r.status.toUpperCase(), '-', '-'],
    );
  }
  // The cache's share: the store as benchmarked minus the same store with its cache empty.
  for (const subject of new Set(results.cacheMemory.map((r) => r.subject))) {
    const mine = results.cacheMemory.filter((r) => r.subject === subject && r.status === 'ok');
    const cached = mine.find((r) => r.variant === 'as benchmarked');
    const uncached = mine.find((r) => r.variant !== 'as benchmarked' && r.cached === 0);
    if (cached?.heapDelta != null && uncached?.heapDelta != null) {
      const share = cached.heapDelta - uncached.heapDelta;
      rows.push([
        labelOf(subject),
        `difference: the cache's share`,
        '',
        formatMb(share),
        kb(share, cached.sessions),
      ]);
    }
  }
  const n = results.cacheMemory[0]?.sessions ?? 0;
  return (
    `Memory of ${n.toLocaleString('en-US')} cached sessions: heapUsed after a full GC, minus heapUsed of the fresh ` +
    'instance before (each session set, then read once)\n' +
    renderTable(['subject', 'instance', 'cached', 'heap', 'per session'], rows, [2, 3, 4])
  );
}

/**
 * Which save path each Redis subject's POST /write took, from its Redis calls per request:
 * the check that the conditional save of issue 13 is what the write figures measure.
 */
function savePathLines(http: readonly HttpResult[]): string {
  const lines = http.flatMap((r) => {
    const calls = r.status === 'ok' ? r.scenarios.write?.redisCommands : undefined;
    if (!calls) return [];
    const scripts = (calls.evalsha ?? 0) + (calls.eval ?? 0);
    const path =
      scripts >= 0.9
        ? `conditional save engaged on every write (EVALSHA/EVAL ${scripts.toFixed(2)} per request)`
        : `plain SET (${(calls.set ?? 0).toFixed(2)} per request, EVALSHA/EVAL ${scripts.toFixed(2)})`;
    return [`\n  save path: ${r.label}: ${path}`];
  });
  return lines.join('');
}

/** One table per HTTP scenario. */
function httpTables(results: BenchResults): string[] {
  const anchors = anchorsIn(results.http.map((r) => r.subject));
  const out: string[] = [];
  for (const scenario of HTTP_SCENARIOS) {
    const rows: string[][] = [];
    for (const result of results.http) {
      const figure = result.scenarios[scenario];
      if (result.status !== 'ok' || !figure) continue;
      const vs = vsAnchor(
        result.subject,
        figure.perSecond,
        anchors,
        (anchor) => results.http.some((r) => r.subject === anchor),
        (anchor) => httpFigure(results.http, anchor, scenario),
      );
      const baseline = subjectNamed(result.subject)?.kind === 'baseline';
      rows.push([
        ...figureCells(result.label, figure),
        percentOf(figure.perSecond, httpFigure(results.http, NO_SESSIONS, scenario)),
        baseline ? 'ceiling' : percentOf(figure.perSecond, httpFigure(results.http, ZERO_COST, scenario)),
        baseline ? '' : vs,
        figure.appCpuUs ? String(Math.round(figure.appCpuUs)) : '',
        formatCommands(figure.redisCommands),
      ]);
    }
    if (rows.length === 0) continue;
    const what =
      scenario === 'read'
        ? 'HTTP GET /read (express-session: get + touch)'
        : 'HTTP POST /write (express-session: get + set)';
    const o = results.options;
    const rounds = o.httpRounds > 1 ? ` (median of ${o.httpRounds} rounds)` : '';
    const commandsNote = rows.some((r) => r[9])
      ? "\n  note: Redis calls/req = INFO commandstats delta of the run's redis-server over the timed run / " +
        'requests completed (commands a script runs counted too: EVALSHA + its GET and SET); ' +
        (scenario === 'write'
          ? "EVALSHA on POST /write = redis-store's conditional save of the session express-session loaded " +
            '(compare-and-set script, issue 13); a plain SET = last write wins' +
            savePathLines(results.http)
          : "EVALSHA on GET /read = redis-store's touch script")
      : '';
    out.push(
      `${what}, ${o.concurrency} connections, ${o.sessions.toLocaleString('en-US')} distinct cookies, ${o.duration} s${rounds}\n` +
        renderTable(
          [
            'subject',
            'req/s',
            'rounds',
            'p50 ms',
            'p99 ms',
            'of no sessions',
            'of zero-cost',
            'vs anchor',
            'app CPU µs/req',
            'Redis calls/req',
          ],
          rows,
          [1, 2, 3, 4, 5, 6, 8],
        ) +
        commandsNote,
    );
  }
  const summary = httpSummary(results.http);
  if (summary) out.push(summary);
  return out;
}

/** `rate` as a whole percentage of `base`, or '' when the base did not run. */
function percentOf(rate: number, base: number | undefined): string {
  return base && base > 0 ? `${Math.round((rate / base) * 100)}%` : '';
}

/**
 * Issue 18's layout: one row per route, one column per subject (the ceilings first), each
 * store's req/s with its percentage of the zero-cost store of this run; then, per route, the
 * app process's CPU per request with the zero-cost store's as a percentage of it (100%: the
 * store costs the app nothing), the figure a busy machine disturbs least.
 */
function httpSummary(http: readonly HttpResult[]): string | undefined {
  const ok = http.filter((r) => r.status === 'ok');
  if (!ok.some((r) => r.subject === ZERO_COST) || ok.length < 2) return undefined;
  const rateRows = HTTP_SCENARIOS.map((scenario) => [
    scenario === 'read' ? 'read (GET /read: get + touch)' : 'write (POST /write: get + set)',
    ...ok.map((r) => {
      const rate = r.scenarios[scenario]?.perSecond;
      if (rate === undefined) return '-';
      const baseline = subjectNamed(r.subject)?.kind === 'baseline';
      const share = baseline ? '' : percentOf(rate, httpFigure(http, ZERO_COST, scenario));
      return share ? `${formatRate(rate)} (${share})` : formatRate(rate);
    }),
  ]);
  const cpuRows = HTTP_SCENARIOS.map((scenario) => {
    const zeroCost = http.find((r) => r.subject === ZERO_COST)?.scenarios[scenario]?.appCpuUs;
    return [
      `${scenario}: app CPU µs/req`,
      ...ok.map((r) => {
        const cpu = r.scenarios[scenario]?.appCpuUs;
        if (cpu === undefined || cpu <= 0) return '-';
        const baseline = subjectNamed(r.subject)?.kind === 'baseline';
        const share = baseline || zeroCost === undefined ? '' : ` (${Math.round((zeroCost / cpu) * 100)}%)`;
        return `${Math.round(cpu)}${share}`;
      }),
    ];
  });
  const rows = [...rateRows, ...cpuRows];
  return (
    'HTTP req/s against the ceilings (issue 18; percentages: of the zero-cost store, same run;\n' +
    "app CPU: the server process's CPU time per request, percentage = zero-cost's / the subject's)\n" +
    renderTable(
      ['route', ...ok.map((r) => r.label)],
      rows,
      ok.map((_, i) => i + 1),
    )
  );
}

function memoryTable(results: BenchResults): string | undefined {
  const names = SUBJECTS.map((s) => s.name).filter(
    (n) =>
      results.store.some((r) => r.subject === n && r.memory) ||
      results.http.some((r) => r.subject === n && r.serverMemory),
  );
  if (names.length === 0) return undefined;
  const rows = names.map((name) => {
    const store = results.store.find((r) => r.subject === name)?.memory;
    const http = results.http.find((r) => r.subject === name)?.serverMemory;
    return [
      labelOf(name),
      formatMb(store?.rssPeak),
      formatMb(store?.rssGrowth),
      formatMb(store?.heapPeak),
      formatMb(store?.heapRetained),
      formatMb(http?.rssPeak),
      formatMb(http?.heapRetained),
    ];
  });
  return (
    'Memory (store level: this process, GC before each subject; HTTP: the server process)\n' +
    renderTable(
      [
        'subject',
        'peak RSS',
        'RSS growth',
        'peak heap',
        'heap kept (sessions)',
        'HTTP peak RSS',
        'HTTP heap kept',
      ],
      rows,
      [1, 2, 3, 4, 5, 6],
    )
  );
}

/** The HTTP scenario an `http-*` target op names, or undefined for a store-level op. */
function httpScenarioOf(op: OpName | HttpOpName): HttpScenario | undefined {
  if (op === 'http-read') return 'read';
  if (op === 'http-write') return 'write';
  return undefined;
}

/** The rate and p99 a target compares: a store-level op's, or an HTTP scenario's. */
function targetFigure(
  store: readonly StoreResult[],
  http: readonly HttpResult[],
  name: string,
  op: OpName | HttpOpName,
): { perSecond: number; p99Ms: number } | undefined {
  const scenario = httpScenarioOf(op);
  if (scenario) return http.find((r) => r.subject === name && r.status === 'ok')?.scenarios[scenario];
  return storeFigure(store, name, op as OpName);
}

/**
 * Checks every subject's targets against this run's figures: store-level ops against the
 * store-level results, `http-*` ops against the HTTP ones. Targets against a subject not in
 * that part of the run are left out.
 */
export function checkTargets(
  store: readonly StoreResult[],
  http: readonly HttpResult[] = [],
): TargetResult[] {
  const out: TargetResult[] = [];
  const names = [...store, ...http].map((r) => r.subject).filter((n, i, all) => all.indexOf(n) === i);
  for (const name of names) {
    const subject = subjectNamed(name);
    for (const target of subject?.targets ?? []) {
      const results: ReadonlyArray<StoreResult | HttpResult> = httpScenarioOf(target.op) ? http : store;
      // A failed or skipped subject has no figures; the status lines say why.
      if (results.find((r) => r.subject === name)?.status !== 'ok') continue;
      if (!results.some((r) => r.subject === target.against)) continue;
      const mine = targetFigure(store, http, name, target.op);
      const theirs = targetFigure(store, http, target.against, target.op);
      if (target.metric === 'p99') {
        const ratio = mine && theirs && theirs.p99Ms > 0 ? mine.p99Ms / theirs.p99Ms : null;
        out.push({
          subject: name,
          op: target.op,
          against: target.against,
          metric: 'p99',
          max: target.max,
          ratio,
          met: ratio === null ? null : ratio <= target.max,
        });
        continue;
      }
      const ratio = mine && theirs?.perSecond ? mine.perSecond / theirs.perSecond : null;
      out.push({
        subject: name,
        op: target.op,
        against: target.against,
        metric: 'rate',
        min: target.min,
        ratio,
        met: ratio === null ? null : ratio >= target.min,
      });
    }
  }
  return out;
}

function targetLines(targets: readonly TargetResult[]): string | undefined {
  if (targets.length === 0) return undefined;
  const rows = targets.map((t) => [
    labelOf(t.subject),
    t.op === 'http-write' ? 'HTTP write' : t.op === 'http-read' ? 'HTTP read' : t.op,
    t.metric === 'p99'
      ? `p99 <= ${(t.max ?? 0).toFixed(2)}x ${labelOf(t.against)}`
      : `>= ${(t.min ?? 0).toFixed(2)}x ${labelOf(t.against)}`,
    t.ratio === null ? 'n/a' : `${t.ratio.toFixed(2)}x`,
    t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED',
  ]);
  return `Targets\n${renderTable(['subject', 'op', 'goal', 'measured', ''], rows, [3])}`;
}

function statusLines(results: BenchResults): string | undefined {
  const lines: string[] = [];
  for (const [bench, list] of [
    ['store', results.store],
    ['http', results.http],
  ] as const) {
    for (const r of list) {
      if (r.status === 'failed') lines.push(`FAILED   ${r.label} (${bench}): ${r.reason}`);
      if (r.status === 'skipped') lines.push(`skipped  ${r.label} (${bench}): ${r.reason}`);
    }
  }
  for (const r of results.store) {
    for (const [op, untimed] of Object.entries(r.untimed ?? {})) {
      if (untimed)
        lines.push(`not timed  ${r.label} ${op}: ${untimed.reason}. Checked once here: ${untimed.check}`);
    }
  }
  return lines.length ? lines.join('\n') : undefined;
}

/** The header: machine, versions, settings. */
export function renderHeader(results: BenchResults, redisWhere: string | null): string {
  const m = results.machine;
  const load = m.loadAverage;
  const o = results.options;
  const packages = Object.entries(m.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return [
    `Machine: ${m.cpus} x ${m.cpuModel}, ${(m.totalMemoryMb / 1024).toFixed(1)} GB, ${m.platform}`,
    `Load average (1/5/15 min): ${load.start.join(' ')} at the start, ${load.end.join(' ')} at the end` +
      (Math.max(...load.start, ...load.end) > m.cpus * 0.5
        ? ': other work shared the machine, compare ratios within this run only'
        : ''),
    `Node ${m.node}; Redis ${m.redis ?? '-'}${redisWhere ? ` at ${redisWhere}` : ''}`,
    m.aerospike ? `Aerospike: ${m.aerospike}` : '',
    `Packages: ${packages}`,
    `Run: ${o.quick ? 'quick' : 'full'}, ${o.sessions.toLocaleString('en-US')} sessions of ~${results.sessionBytes} bytes, ` +
      `${o.concurrency} in flight, ${o.ops.toLocaleString('en-US')} ops per phase x ${o.rounds} rounds, ` +
      `${o.duration} s per HTTP scenario x ${o.httpRounds} rounds, ` +
      `wall time ${results.wallSeconds.toFixed(0)} s`,
    m.cpus <= 2
      ? `Note: ${m.cpus} CPUs: the benchmark, the server process and redis-server share them; compare ratios, not absolutes.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The whole printed report. */
export function renderReport(results: BenchResults, redisWhere: string | null): string {
  const legend = results.store
    .map((r) => r.subject)
    .concat(results.http.map((r) => r.subject))
    .filter((n, i, all) => all.indexOf(n) === i)
    .map((n) => `  ${labelOf(n).padEnd(24)} ${subjectNamed(n)?.description ?? ''}`)
    .join('\n');
  return [
    renderHeader(results, redisWhere),
    legend ? `Subjects:\n${legend}` : '',
    ...storeTables(results),
    ...httpTables(results),
    results.overlap && renderOverlap(results.overlap),
    results.userSessions && renderUserSessions(results.userSessions),
    results.staleRead && renderStaleRead(results.staleRead),
    results.keyRead &&
      renderKeyRead(
        results.keyRead,
        results.options.concurrency,
        results.options.duration,
        results.options.httpRounds,
      ),
    memoryTable(results),
    cacheMemoryTable(results),
    targetLines(results.targets),
    statusLines(results),
  ]
    .filter((part): part is string => Boolean(part))
    .join('\n\n');
}

/** Writes the results as JSON (creating the folder). */
export function writeJson(path: string, results: BenchResults): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
