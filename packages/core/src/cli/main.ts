import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { conformanceGroups } from '../conformance/groups';
import { locateHttpModule, preferModulesFrom } from '../conformance/http-modules';
import { isPlainStoreClass, PlainStoreAdapter, plainCapabilities } from '../conformance/plain-store';
import { type CaseResult, runConformanceCases } from '../conformance/run-cases';
import type { ConformanceOptions } from '../conformance/types';
import type { SessionStore } from '../session-store';
import { parseArguments, USAGE } from './arguments';
import {
  type ConformanceReport,
  formatCase,
  formatHeader,
  formatSummary,
  type ReportCase,
  reportCase,
  summarize,
} from './report';
import { asStoreModule, importModule, moduleDirectory, type StoreModule, UsageError } from './store-module';

/** Where the command writes; the tests give their own. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * `session-stores-core conformance <store-module>`: runs the kit against the store the
 * module makes, with no test runner, prints the report and resolves with the exit code
 * (0 nothing failed, 1 a case failed, 2 unusable input).
 */
export async function conformanceCommand(
  argv: readonly string[],
  output: CliOutput = processOutput,
): Promise<number> {
  let teardown: (() => Promise<void> | void) | undefined;
  // An exception the store throws outside any call (a callback that throws later, a timer)
  // fails the case that was running, or the probe, instead of ending the command.
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  try {
    const args = parseArguments(argv);
    const store = await loadStoreModule(args.storeModule, args.configFile);
    teardown = store.teardown;
    if (args.groups) {
      const unknown = args.groups.filter((name) => !conformanceGroups.some((group) => group.name === name));
      if (unknown.length > 0) {
        throw new UsageError(
          `unknown group "${unknown[0]}" (groups: ${conformanceGroups.map((g) => g.name).join(', ')})`,
        );
      }
    }
    preferModulesFrom(moduleDirectory(args.storeModule));
    if (store.setup)
      await bounded(Promise.resolve(store.setup()), args.startTimeoutMs, 'setup() did not finish');
    const storeClass = await probeStore(store, args.startTimeoutMs);
    if (uncaught.length > 0) {
      throw new UsageError(
        `the store threw an uncaught exception on its first calls: ${message(uncaught[0])}`,
      );
    }
    const report = await runSuite(args, store, storeClass, output, uncaught);
    if (args.json) output.out(JSON.stringify(report, null, 2));
    else {
      const missing = missingLibraries(report);
      if (missing) output.out(`\nnote: ${missing}`);
      output.out(formatSummary(report.summary));
    }
    return report.summary.failed > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      output.err(`session-stores-core: ${err.message}`);
      if (/no command|unknown command|no store module|unknown option|unexpected argument/.test(err.message)) {
        output.err(USAGE);
      }
      return 2;
    }
    output.err(`session-stores-core: unexpected failure: ${err instanceof Error ? err.stack : String(err)}`);
    return 2;
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    if (teardown) {
      await bounded(Promise.resolve(teardown()), 30_000, 'teardown() did not finish').catch((err: unknown) =>
        output.err(`session-stores-core: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  }
}

/** Runs {@link conformanceCommand} as the program and exits with its code, even if the store left handles open. */
export function runConformanceCommand(argv: readonly string[]): void {
  void conformanceCommand(argv).then((code) => {
    // A store under test may keep sockets or timers alive: the report is the program's end.
    process.stdout.write('', () => process.exit(code));
  });
}

async function loadStoreModule(path: string, configFile: string | undefined): Promise<StoreModule> {
  const store = asStoreModule(path, await importModule(path));
  if (!configFile) return store;
  const config = await importModule(configFile);
  const overrides = (config.default ?? config) as Partial<StoreModule>;
  if (typeof overrides !== 'object' || overrides === null)
    throw new UsageError(`${configFile} exports no object`);
  return asStoreModule(path, { ...store, ...pickDefined(overrides) });
}

function pickDefined(source: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined));
}

/** Rejects with a UsageError naming `what` when `promise` has not settled in `ms`. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const message = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/**
 * Makes one store and has it answer set, get and destroy before the suite starts, so a
 * factory that throws or never resolves, or a store that hangs, is one clear line. The
 * store's class tells a core store from a plain one.
 */
async function probeStore(module: StoreModule, timeoutMs: number): Promise<object> {
  const prefix = `kit:probe-${process.pid}-${Date.now().toString(36)}:`;
  let made: unknown;
  try {
    made = await bounded(
      Promise.resolve(module.createStore({ prefix, options: {} })),
      timeoutMs,
      'createStore() did not resolve',
    );
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`createStore() threw: ${message(err)}`);
  }
  const candidate = made as Record<string, unknown> | null;
  if (
    !candidate ||
    typeof candidate !== 'object' ||
    !['get', 'set', 'destroy'].every((m) => typeof candidate[m] === 'function')
  ) {
    throw new UsageError(
      `createStore() returned ${candidate === null ? 'null' : typeof candidate}, not a store with get, set and destroy`,
    );
  }
  const storeClass = candidate.constructor as object;
  const plain = isPlainStoreClass(storeClass);
  const closePlain = async (store: unknown) => {
    if (module.closeStore) await module.closeStore(store);
    else await closeQuietly(store);
  };
  const api = plain
    ? new PlainStoreAdapter(
        candidate as never,
        prefix,
        plainCapabilities(undefined),
        closePlain,
      ).asSessionStore()
    : (candidate as unknown as SessionStore);
  const sid = 'probe';
  const session = {
    cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), httpOnly: true, path: '/' },
  };
  try {
    for (const [name, call] of [
      ['set', () => api.set(sid, session as never)],
      ['get', () => api.get(sid)],
      ['destroy', () => api.destroy(sid)],
    ] as const) {
      try {
        await bounded(Promise.resolve(call()), timeoutMs, `the store did not answer ${name}()`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`the store failed its first ${name}(): ${message(err)}`);
      }
    }
  } finally {
    await bounded(
      plain ? api.close() : closeCore(module, api),
      10_000,
      'closing the probe store did not finish',
    ).catch(() => undefined);
  }
  return storeClass;
}

async function closeCore(module: StoreModule, store: SessionStore): Promise<void> {
  if (module.closeStore) await module.closeStore(store);
  else await store.close();
}

async function closeQuietly(store: unknown): Promise<void> {
  const close = (store as { close?: (callback?: () => void) => unknown }).close;
  if (typeof close !== 'function') return;
  await new Promise<void>((resolve) => {
    const returned = close.call(store, () => resolve());
    if (returned && typeof (returned as Promise<unknown>).then === 'function') {
      (returned as Promise<unknown>).then(
        () => resolve(),
        () => resolve(),
      );
    } else if (close.length === 0) resolve();
  });
}

async function runSuite(
  args: ReturnType<typeof parseArguments>,
  module: StoreModule,
  storeClass: object,
  output: CliOutput,
  uncaught: unknown[],
): Promise<ConformanceReport> {
  const plain = isPlainStoreClass(storeClass);
  const sessionPath = locateHttpModule('express-session') ?? null;
  const header = {
    tool: { name: '@session-stores/core', version: ownVersion() },
    date: new Date().toISOString(),
    node: process.version,
    store: {
      name: module.name ?? args.storeModule.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, ''),
      module: args.storeModule,
      kind: plain ? ('plain' as const) : ('core' as const),
      className: (storeClass as { name?: string }).name || 'anonymous class',
      expressSession: {
        version: sessionPath ? packageVersion(sessionPath) : null,
        path: sessionPath ? relative(process.cwd(), dirname(sessionPath)) || '.' : null,
      },
    },
  };
  if (!args.json) output.out(`${formatHeader(header)}\n`);
  const options: ConformanceOptions<SessionStore> = {
    name: header.store.name,
    storeClass: storeClass as ConformanceOptions['storeClass'],
    createStore: (context) =>
      bounded(
        Promise.resolve(module.createStore(context)),
        args.startTimeoutMs,
        'createStore() did not resolve',
      ) as Promise<SessionStore>,
    ...(module.closeStore ? { closeStore: async (store: SessionStore) => module.closeStore?.(store) } : {}),
    ...(module.inspect ? { inspect: module.inspect } : {}),
    ...(module.capabilities ? { capabilities: module.capabilities } : {}),
  };
  const groups: ConformanceReport['groups'] = [];
  const started = Date.now();
  try {
    await runConformanceCases(options, args.groups, {
      onResult: (result: CaseResult) => {
        const item: ReportCase = reportCase(result, uncaught.splice(0));
        let group = groups.at(-1);
        if (group?.name !== result.group) {
          group = { name: result.group, cases: [] };
          groups.push(group);
          if (!args.json) output.out(result.group);
        }
        group.cases.push(item);
        if (!args.json) output.out(formatCase(item));
      },
    });
  } catch (err) {
    // Options the kit refuses (a capability claim it does not know): bad input.
    throw new UsageError(message(err));
  } finally {
  }
  return { ...header, summary: summarize(groups, Date.now() - started), groups };
}

/** A reminder that HTTP cases did not run for want of a library (they read as not offered). */
function missingLibraries(report: ConformanceReport): string | undefined {
  const skipped = report.groups
    .flatMap((group) => group.cases)
    .filter((item) => item.status === 'not offered' && / not installed \(npm i -D /.test(item.reason ?? ''));
  if (skipped.length === 0) return undefined;
  const install = skipped[0]?.reason?.replace(/^.* not installed \((npm i -D [^)]*)\).*$/, '$1');
  return `${skipped.length} HTTP cases did not run: their libraries are not installed next to the store (${install})`;
}

/** The version field of the package.json nearest above `file`. */
function packageVersion(file: string): string | null {
  for (let directory = dirname(file); ; directory = dirname(directory)) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { version?: string; name?: string };
      if (parsed.name) return parsed.version ?? null;
    }
    if (dirname(directory) === directory) return null;
  }
}

function ownVersion(): string {
  return packageVersion(__filename) ?? 'unknown';
}
