/**
 * The `overlap` scenario (issue 13): overlapping requests on one session, per express-session
 * store, over real HTTP. An express 5 + express-session app (`resave: false`,
 * `saveUninitialized: false`) runs on each store in this process; a request can be held by
 * name after express-session loaded its session (the route awaits the hold), so the overlap
 * is certain, not a matter of timing. Two trials, each on a fresh login:
 *
 * - lost update: request A loads the session and is held; request B sets `b` and completes;
 *   A is released and sets `a`. Lost when `a` or `b` is missing afterwards.
 * - undone logout: A loads the session and is held; B logs out (`req.session.destroy()`); A is
 *   released and sets `a`. Undone when the old cookie still has a session afterwards.
 *
 * "Afterwards" is the next request with the cookie (`GET /me`), as the user would see it.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type express from 'express';
import type { Store } from 'express-session';
import { type SubjectInstance, SubjectUnavailable, VerificationFailure } from './context';
import { describeError } from './format';
import { sessionApp } from './http-app';
import { closeServer, listenOnLoopback } from './http-listen';
import { renderTable } from './report';
import type { ContextHandle } from './servers';
import { SUBJECTS, type Subject } from './subjects';

/** The scenario's name on the command line (`--stores overlap`). */
export const OVERLAP_SCENARIO = 'overlap';

/** Trials of each kind per store: `--quick` runs fewer. */
export const OVERLAP_TRIALS = { full: 20, quick: 10 } as const;

/** Subjects the scenario runs when no store subject was chosen (`--stores overlap` alone). */
export function defaultOverlapSubjects(): Subject[] {
  // The slow-replica variant runs the same store as replicated-3 (with +100 ms per round trip).
  return SUBJECTS.filter((s) => s.kind === 'store' && s.name !== 'replicated-3-slow');
}

/**
 * What a store does with overlapping saves: `conditional writes` (its capabilities declare
 * `conditionalWrites`), `off` (declared, but built with `lastWriteWins: true`), `not yet`
 * (one of ours declaring none), `none` (not built on @session-stores/core: an anchor).
 */
export type Protection = 'conditional writes' | 'off (lastWriteWins: true)' | 'not yet protected' | 'none';

/** One store's outcome. Counts are null when that kind's control check failed (see `reason`). */
export interface OverlapFigures {
  subject: string;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  protection?: Protection;
  /** Trials of each kind. */
  trials: number;
  lostUpdates: number | null;
  undoneLogouts: number | null;
  /** Requests of the trials answered with a non-2xx status (a store error); the first one's text. */
  errors: number;
  firstError?: string;
  /** Why a count is null: the same steps without overlap already gave the wrong result. */
  controlFailures?: string[];
  seconds: number;
}

/** Issue 13's goal for a protected store: 0 lost updates and 0 undone logouts. */
export interface OverlapTargetResult {
  subject: string;
  met: boolean | null;
}

/** The scenario's results (in the JSON as `overlap`). */
export interface OverlapResult {
  trials: number;
  stores: OverlapFigures[];
  targets: OverlapTargetResult[];
}

export interface OverlapSettings {
  quick: boolean;
  log: (line: string) => void;
}

/** What the table cannot say about an anchor's figures. */
const ANCHOR_NOTES: Readonly<Record<string, string>> = {
  'pouch-anchor':
    'its set merges the saved session into its cached copy (extend(cached, session) in its lib/store.js), ' +
    'so changes to different keys survive in one process; its destroy answers 500 (TypeError) after dropping the session',
};

const DAY_MS = 86_400_000;
/** The longest any one step of a trial may take before the trial fails (a loaded machine is slow). */
const STEP_TIMEOUT_MS = 30_000;

type Bag = Record<string, unknown>;

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * Requests held by name: the route awaits `wait(name)` once express-session loaded its
 * session; the trial awaits `loaded(name)`, runs the other request, then calls `release(name)`.
 */
class Holds {
  private readonly byName = new Map<
    string,
    { arrived: ReturnType<typeof deferred>; go: ReturnType<typeof deferred> }
  >();

  private entry(name: string) {
    const found = this.byName.get(name);
    if (found) return found;
    const created = { arrived: deferred(), go: deferred() };
    this.byName.set(name, created);
    return created;
  }

  /** Called by the route: marks the request as loaded, resolves when it is released. */
  wait(name: string): Promise<void> {
    const { arrived, go } = this.entry(name);
    arrived.resolve();
    return go.promise;
  }

  /** Resolves once the request `name` has its session. */
  loaded(name: string): Promise<void> {
    return this.entry(name).arrived.promise;
  }

  /** Lets the request go on, and forgets the name. */
  release(name: string): void {
    this.byName.get(name)?.go.resolve();
    this.byName.delete(name);
  }

  /** Releases every hold (a trial that failed half-way). */
  releaseAll(): void {
    for (const name of [...this.byName.keys()]) this.release(name);
  }
}

function buildApp(store: Store, secret: string, holds: Holds): express.Express {
  const app = sessionApp(store, secret, DAY_MS);
  app.post('/login', (req, res) => {
    (req.session as unknown as Bag).user = 'alice';
    res.json({ id: req.sessionID });
  });
  app.get('/me', (req, res) => {
    const s = req.session as unknown as Bag;
    res.json({ user: s.user ?? null, a: s.a ?? null, b: s.b ?? null });
  });
  // Sets `key`; with `?hold=name` it waits for the trial between loading and saving.
  app.post('/set/:key', async (req, res) => {
    const name = req.query.hold;
    if (typeof name === 'string') await holds.wait(name);
    (req.session as unknown as Bag)[String(req.params.key)] = 'v';
    res.json({ id: req.sessionID });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: describeError(err), code: (err as { code?: unknown }).code });
  });
  return app;
}

interface Reply {
  status: number;
  body: Bag;
  cookie: string | undefined;
}

/** Rejects when `promise` takes longer than {@link STEP_TIMEOUT_MS}. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The app of one store, and the requests of a trial. */
class OverlapApp {
  readonly holds = new Holds();
  private server: Server | undefined;
  private base = '';
  private held = 0;
  errors = 0;
  firstError: string | undefined;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    const listening = await listenOnLoopback(
      buildApp(this.store, randomBytes(16).toString('hex'), this.holds),
    );
    this.server = listening.server;
    this.base = `http://127.0.0.1:${listening.port}`;
  }

  async stop(): Promise<void> {
    this.holds.releaseAll();
    await closeServer(this.server);
  }

  /** One request; a non-2xx answer is counted as an error of the trials. */
  async send(method: 'GET' | 'POST', path: string, cookie?: string): Promise<Reply> {
    const response = await fetch(this.base + path, { method, headers: cookie ? { cookie } : {} });
    const text = await response.text();
    let body: Bag;
    try {
      body = JSON.parse(text) as Bag;
    } catch {
      body = { text };
    }
    if (response.status < 200 || response.status > 299) {
      this.errors++;
      this.firstError ??= `${method} ${path.split('?')[0]}: ${response.status} ${text.slice(0, 200)}`;
    }
    return { status: response.status, body, cookie: response.headers.get('set-cookie')?.split(';')[0] };
  }

  /** A fresh session: its cookie. */
  async login(): Promise<string> {
    const reply = await within(this.send('POST', '/login'), 'POST /login');
    if (reply.status !== 200 || !reply.cookie)
      throw new VerificationFailure(`POST /login: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.cookie;
  }

  /** What the next request with `cookie` finds in its session. */
  async me(cookie: string): Promise<{ user: unknown; a: unknown; b: unknown }> {
    const reply = await within(this.send('GET', '/me', cookie), 'GET /me');
    if (reply.status !== 200)
      throw new VerificationFailure(`GET /me: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as { user: unknown; a: unknown; b: unknown };
  }

  /**
   * Request A (`POST /set/a`) loads the session and is held; `meanwhile` runs to its end; A is
   * released and saves.
   */
  async overlap(cookie: string, meanwhile: () => Promise<unknown>): Promise<void> {
    const name = `a${this.held++}`;
    const slow = this.send('POST', `/set/a?hold=${name}`, cookie);
    try {
      const early = slow.then((reply) => {
        throw new Error(`request A answered ${reply.status} before it reached its hold`);
      });
      early.catch(() => {});
      await within(Promise.race([this.holds.loaded(name), early]), 'request A loading the session');
      await within(meanwhile(), 'request B');
    } finally {
      this.holds.release(name);
    }
    await within(slow, 'request A');
  }
}

/** The same steps without overlap: a store that gets them wrong anyway has no overlap count. */
async function controls(app: OverlapApp): Promise<{ update?: string; logout?: string }> {
  const out: { update?: string; logout?: string } = {};
  const cookie = await app.login();
  await app.send('POST', '/set/b', cookie);
  await app.send('POST', '/set/a', cookie);
  const stored = await app.me(cookie);
  if (stored.a !== 'v' || stored.b !== 'v' || stored.user !== 'alice')
    out.update = `set b then set a, one after the other: GET /me gave ${JSON.stringify(stored)}`;
  await app.send('POST', '/logout', cookie);
  const after = await app.me(cookie);
  if (after.user !== null)
    out.logout = `a logout alone did not stay done: GET /me gave ${JSON.stringify(after)}`;
  return out;
}

/** Lost update: A held, B sets b, A sets a. True when a or b is missing afterwards. */
async function lostUpdateTrial(app: OverlapApp): Promise<boolean> {
  const cookie = await app.login();
  await app.overlap(cookie, () => app.send('POST', '/set/b', cookie));
  const stored = await app.me(cookie);
  return stored.a !== 'v' || stored.b !== 'v';
}

/** Undone logout: A held, B logs out, A sets a. True when the old cookie still has a session afterwards. */
async function undoneLogoutTrial(app: OverlapApp): Promise<boolean> {
  const cookie = await app.login();
  await app.overlap(cookie, () => app.send('POST', '/logout', cookie));
  return (await app.me(cookie)).user !== null;
}

function protectionOf(subject: Subject, store: Store): Protection {
  const capabilities = (store.constructor as { capabilities?: { conditionalWrites?: unknown } }).capabilities;
  if (!capabilities) return 'none';
  if (capabilities.conditionalWrites !== true) return 'not yet protected';
  return subject.lastWriteWins ? 'off (lastWriteWins: true)' : 'conditional writes';
}

async function runStore(
  subject: Subject,
  handle: ContextHandle,
  trials: number,
  log: (line: string) => void,
): Promise<OverlapFigures> {
  const began = Date.now();
  const result: OverlapFigures = {
    subject: subject.name,
    label: subject.label,
    status: 'ok',
    trials,
    lostUpdates: null,
    undoneLogouts: null,
    errors: 0,
    seconds: 0,
  };
  let instance: SubjectInstance | undefined;
  let app: OverlapApp | undefined;
  try {
    instance = await subject.create(handle.ctx);
    if (!instance.store) throw new SubjectUnavailable(`${subject.name} is not an express-session store`);
    result.protection = protectionOf(subject, instance.store);
    app = new OverlapApp(instance.store);
    await app.start();
    const control = await controls(app);
    let lost = 0;
    let undone = 0;
    for (let trial = 0; trial < trials; trial++) {
      if (await lostUpdateTrial(app)) lost++;
      if (await undoneLogoutTrial(app)) undone++;
    }
    result.lostUpdates = control.update ? null : lost;
    result.undoneLogouts = control.logout ? null : undone;
    const failures = [control.update, control.logout].filter((f): f is string => f !== undefined);
    if (failures.length > 0) result.controlFailures = failures;
    result.errors = app.errors;
    if (app.firstError) result.firstError = app.firstError;
    const count = (n: number | null) => (n === null ? '- (control failed)' : `${n}/${trials}`);
    log(
      `    ${result.protection}: lost updates ${count(result.lostUpdates)}, undone logouts ${count(result.undoneLogouts)}` +
        (result.errors ? `, ${result.errors} non-2xx (${result.firstError})` : ''),
    );
    for (const failure of failures) log(`    control failed: ${failure}`);
  } catch (err) {
    result.status = err instanceof SubjectUnavailable ? 'skipped' : 'failed';
    result.reason = err instanceof SubjectUnavailable ? err.message : describeError(err);
    result.lostUpdates = null;
    result.undoneLogouts = null;
    log(`    ${result.status.toUpperCase()}: ${result.reason}`);
  } finally {
    await app?.stop();
    try {
      await instance?.close();
    } catch (err) {
      log(`    (close: ${describeError(err)})`);
    }
    try {
      await handle.cleanup();
    } catch (err) {
      log(`    (cleanup: ${describeError(err)})`);
    }
  }
  result.seconds = (Date.now() - began) / 1000;
  return result;
}

/** Runs the scenario over `subjects` (the express-session stores among them), one after another. */
export async function benchOverlap(
  subjects: readonly Subject[],
  contextFor: (name: string) => ContextHandle,
  settings: OverlapSettings,
): Promise<OverlapResult> {
  const trials = settings.quick ? OVERLAP_TRIALS.quick : OVERLAP_TRIALS.full;
  const stores: OverlapFigures[] = [];
  for (const subject of subjects.filter((s) => s.kind === 'store')) {
    settings.log(`  ${subject.label}`);
    stores.push(await runStore(subject, contextFor(subject.name), trials, settings.log));
  }
  // Issue 13's goal, for every store that ran with its protection on.
  const targets = stores
    .filter((s) => s.status === 'ok' && s.protection === 'conditional writes')
    .map((s) => ({
      subject: s.subject,
      met:
        s.lostUpdates === null || s.undoneLogouts === null
          ? null
          : s.lostUpdates === 0 && s.undoneLogouts === 0,
    }));
  return { trials, stores, targets };
}

/** The scenario's table, notes and targets, for the report. */
export function renderOverlap(result: OverlapResult): string {
  const n = result.trials;
  const title =
    `Overlapping requests on one session (scenario ${OVERLAP_SCENARIO}, issue 13): express 5 + express-session ` +
    `(resave: false, saveUninitialized: false) over HTTP, ${n} trials of each kind per store, each on a fresh login`;
  const count = (value: number | null): string => (value === null ? '-' : `${value}/${n}`);
  const rows = result.stores.map((s) =>
    s.status === 'ok'
      ? [
          s.label,
          s.protection ?? '',
          String(n),
          count(s.lostUpdates),
          count(s.undoneLogouts),
          String(s.errors),
        ]
      : [s.label, s.status.toUpperCase(), '-', '-', '-', '-'],
  );
  const table = renderTable(
    ['store', 'overlapping saves', 'trials', 'lost updates', 'undone logouts', 'non-2xx'],
    rows,
    [2, 3, 4, 5],
  );
  const notes = [
    '  note: lost update = A loads the session and is held, B sets b and completes, A sets a: a or b missing at the next request',
    '  note: undone logout = A loads the session and is held, B logs out (req.session.destroy), A sets a: the old cookie has a session at the next request',
    '  note: "none" = an anchor (not built on @session-stores/core): nothing guards a save of a session loaded before another change',
  ];
  for (const s of result.stores) {
    const anchorNote = ANCHOR_NOTES[s.subject];
    if (anchorNote && s.status === 'ok') notes.push(`  note: ${s.label}: ${anchorNote}`);
    if (s.status !== 'ok') notes.push(`  note: ${s.label}: ${s.status} (${s.reason})`);
    else if (s.protection === 'not yet protected')
      notes.push(
        `  note: ${s.label}: not yet protected: its store declares no conditionalWrites yet, so the last save wins`,
      );
    else if (s.protection === 'off (lastWriteWins: true)')
      notes.push(
        `  note: ${s.label}: built with lastWriteWins: true, which turns the protection off (as documented)`,
      );
    for (const failure of s.controlFailures ?? [])
      notes.push(`  note: ${s.label}: no count where "-": without any overlap, ${failure}`);
    if (s.firstError) notes.push(`  note: ${s.label}: first non-2xx: ${s.firstError}`);
  }
  const parts = [title, table, ...notes];
  if (result.targets.length > 0) {
    const targets = renderTable(
      ['subject', 'goal', 'measured', ''],
      result.targets.map((t) => {
        const s = result.stores.find((x) => x.subject === t.subject);
        return [
          s?.label ?? t.subject,
          `0 lost updates and 0 undone logouts in ${n} + ${n} trials`,
          s && s.status === 'ok' ? `${count(s.lostUpdates)}, ${count(s.undoneLogouts)}` : 'n/a',
          t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED',
        ];
      }),
      [],
    );
    parts.push('', `Targets (issue 13, stores declaring conditionalWrites)\n${targets}`);
  }
  return parts.join('\n');
}
