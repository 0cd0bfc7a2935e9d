// A process that uses a store and then has nothing left to do: it must exit by itself.
// Arguments: <url | "memory"> <"close" | "leave-open">.
import { PouchStore } from '../../src';

async function main(): Promise<void> {
  const [where = 'memory', ending = 'close'] = process.argv.slice(2);
  const store = where === 'memory' ? new PouchStore({ purge: 1000, scavenge: 100 }) : new PouchStore(where);
  await store.ready();
  const maxAge = 60_000;
  await store.set('exit-check', {
    cookie: { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge), httpOnly: true, path: '/' },
    v: 1,
  } as never);
  const read = (await store.get('exit-check')) as { v?: number } | null;
  if (read?.v !== 1) throw new Error('round trip failed');
  await store.touch('exit-check', read as never);
  if (ending === 'close') {
    await store.destroy('exit-check');
    await store.close();
  }
  process.stdout.write('done\n');
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
