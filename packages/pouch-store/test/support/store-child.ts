// A store in its own Node process, driven over stdin/stdout with one JSON command per line.
// The sync test runs two of these against one CouchDB-API server.
import { createInterface } from 'node:readline';
import { PouchStore } from '../../src';

type Command = { id: number; op: string } & Record<string, unknown>;

let store: PouchStore | undefined;
let dbReads = 0;

function session(data: Record<string, unknown>): never {
  const maxAge = 600_000;
  return {
    cookie: { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge), httpOnly: true, path: '/' },
    ...data,
  } as never;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'open': {
      store = new PouchStore(String(command.url), { prefix: String(command.prefix) });
      // Counts the reads that reach the database, to tell cache hits from misses.
      const db = store.db as { get: (...args: unknown[]) => Promise<object> };
      const get = db.get.bind(db);
      db.get = (...args: unknown[]) => {
        dbReads += 1;
        return get(...args);
      };
      await store.ready();
      return { pid: process.pid };
    }
    case 'set': {
      const startedAt = Date.now();
      await store?.set(String(command.sid), session(command.data as Record<string, unknown>));
      return { startedAt, doneAt: Date.now() };
    }
    case 'get':
      return { session: (await store?.get(String(command.sid))) ?? null };
    case 'destroy': {
      const startedAt = Date.now();
      await store?.destroy(String(command.sid));
      return { startedAt, doneAt: Date.now() };
    }
    case 'waitFor': {
      // Polls get() until the session has field === value (or is gone, with absent: true).
      const { sid, field, value, absent } = command as unknown as {
        sid: string;
        field?: string;
        value?: unknown;
        absent?: boolean;
      };
      const deadline = Date.now() + Number(command.timeoutMs ?? 5000);
      let polls = 0;
      for (;;) {
        const current = (await store?.get(sid)) as Record<string, unknown> | null;
        polls += 1;
        const done = absent ? current === null : current !== null && current[field as string] === value;
        if (done) return { at: Date.now(), polls, dbReads };
        if (Date.now() > deadline) return { at: null, polls, dbReads, last: current };
        await sleep(2);
      }
    }
    case 'stats':
      return { dbReads, cached: store?.cachedSessions ?? 0 };
    case 'close':
      await store?.close();
      return {};
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line) as Command;
  run(command).then(
    (result) => process.stdout.write(`${JSON.stringify({ id: command.id, result })}\n`),
    (error: Error) => process.stdout.write(`${JSON.stringify({ id: command.id, error: error.message })}\n`),
  );
});
// The parent closing stdin ends the child (after close, or if the parent dies).
lines.on('close', () => {
  void store?.close().finally(() => process.exit(0));
  if (!store) process.exit(0);
});
