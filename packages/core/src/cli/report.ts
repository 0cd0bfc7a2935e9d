import type { AssertionError } from 'node:assert';
import { show } from '../conformance/expect';
import type { CaseResult } from '../conformance/run-cases';

/** How a case ended, as the report says it. */
export type ReportStatus = 'passed' | 'failed' | 'not offered';

/** One case in the report. */
export interface ReportCase {
  readonly name: string;
  readonly status: ReportStatus;
  /** Why it failed (first line of the failure), or why it is not offered. */
  readonly reason?: string;
  /** The failure in full: the matcher, what was expected and what the store gave. */
  readonly message?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly durationMs: number;
}

/** The whole report, as `--json` prints it. */
export interface ConformanceReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly date: string;
  readonly node: string;
  readonly store: {
    readonly name: string;
    readonly module: string;
    readonly kind: 'plain' | 'core';
    readonly className: string;
    readonly expressSession: { readonly version: string | null; readonly path: string | null };
  };
  readonly summary: { passed: number; failed: number; notOffered: number; durationMs: number };
  readonly groups: Array<{ readonly name: string; readonly cases: ReportCase[] }>;
}

/** A case result as the report shows it; `uncaught` are errors the process met while the case ran. */
export function reportCase(result: CaseResult, uncaught: readonly unknown[] = []): ReportCase {
  if (result.status === 'unsupported') {
    return { name: result.name, status: 'not offered', reason: result.detail ?? '', durationMs: 0 };
  }
  if (result.status === 'passed' && uncaught.length === 0) {
    return { name: result.name, status: 'passed', durationMs: result.durationMs };
  }
  const error = (result.status === 'failed' ? result.error : uncaught[0]) as
    | Partial<AssertionError>
    | undefined;
  const message =
    result.status === 'failed'
      ? (result.detail ?? String(error))
      : `the store threw an uncaught exception during the case: ${describeError(error)}`;
  const assertion = error && (error as { code?: unknown }).code === 'ERR_ASSERTION';
  const expected = assertion && 'expected' in error ? show(error.expected) : undefined;
  const actual = assertion && 'actual' in error ? show(error.actual) : undefined;
  return {
    name: result.name,
    status: 'failed',
    reason: assertion ? assertionReason(message, expected, actual) : (firstLine(message) ?? message),
    message,
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
    durationMs: result.durationMs,
  };
}

/** One line for an assertion: expected and received, each on one line. */
function assertionReason(message: string, expected: string | undefined, actual: string | undefined): string {
  const flat = (text: string) => text.replace(/\s*\n\s*/g, ' ');
  // On a deep comparison, where the values differ says more than both values in full.
  const difference = message.split('\n').find((line) => line.startsWith('Difference: '));
  if (difference) return flat(difference.slice('Difference: '.length));
  const parts = [];
  if (expected !== undefined && !message.includes('toBeNull()') && !message.includes('toBeUndefined()')) {
    parts.push(`expected ${message.includes('.not.') ? 'not ' : ''}${flat(expected)}`);
  }
  if (actual !== undefined) parts.push(`received ${flat(actual)}`);
  return parts.length > 0 ? parts.join(', ') : (firstLine(message) ?? message);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function firstLine(message: string): string | undefined {
  return message.split('\n').find((line) => line.trim() !== '');
}

/** Counts the outcomes. */
export function summarize(
  groups: ConformanceReport['groups'],
  durationMs: number,
): ConformanceReport['summary'] {
  const cases = groups.flatMap((group) => group.cases);
  return {
    passed: cases.filter((item) => item.status === 'passed').length,
    failed: cases.filter((item) => item.status === 'failed').length,
    notOffered: cases.filter((item) => item.status === 'not offered').length,
    durationMs,
  };
}

const MARK: Record<ReportStatus, string> = { passed: 'ok  ', failed: 'FAIL', 'not offered': ' -- ' };

/** One case as a line of the text report (and, for a failure, its expected and actual below). */
export function formatCase(item: ReportCase): string {
  const timing = item.status === 'not offered' ? '' : ` (${item.durationMs} ms)`;
  const lines = [`  ${MARK[item.status]} ${item.name}${timing}`];
  if (item.status === 'not offered') lines[0] += `  [not offered: ${item.reason}]`;
  if (item.status === 'failed') {
    if (item.expected !== undefined || item.actual !== undefined) {
      const head = (item.message ?? '').split('\n')[0];
      if (head) lines.push(`         ${head}`);
      if (item.expected !== undefined) lines.push(indent('expected: ', item.expected));
      if (item.actual !== undefined) lines.push(indent('actual:   ', item.actual));
    } else {
      lines.push(indent('', item.message ?? item.reason ?? ''));
    }
  }
  return lines.join('\n');
}

function indent(label: string, text: string): string {
  const pad = ' '.repeat(9);
  const [first, ...rest] = text.split('\n');
  return [`${pad}${label}${first}`, ...rest.map((line) => `${pad}${' '.repeat(label.length)}${line}`)].join(
    '\n',
  );
}

/** The report's first lines: what was tested with what. */
export function formatHeader(report: Omit<ConformanceReport, 'summary' | 'groups'>): string {
  const kind =
    report.store.kind === 'plain' ? 'a plain express-session store' : 'a store built on @session-stores/core';
  const session = report.store.expressSession;
  return [
    `${report.tool.name} ${report.tool.version} conformance: ${report.store.name} (${report.store.className}, ${kind})`,
    `module ${report.store.module}; express-session ${session.version ?? 'not found'}${session.path ? ` from ${session.path}` : ''}; Node ${report.node}; ${report.date}`,
  ].join('\n');
}

/** The last line of the text report. */
export function formatSummary(summary: ConformanceReport['summary']): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.notOffered} not offered (${(summary.durationMs / 1000).toFixed(1)} s)`;
}
