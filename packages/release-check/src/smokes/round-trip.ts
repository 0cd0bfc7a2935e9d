/**
 * JavaScript source (valid in CommonJS and ESM) of `roundTrip(store, label)`: set,
 * get, destroy with a callback as express-session calls it, get again, close.
 */
export const ROUND_TRIP_SOURCE = `
async function roundTrip(store, label) {
  const sid = 'release-check-' + label + '-' + process.pid;
  const expires = new Date(Date.now() + 60000).toISOString();
  const session = { cookie: { originalMaxAge: 60000, expires, httpOnly: true, path: '/' }, smoke: label };
  await store.set(sid, session);
  const read = await store.get(sid);
  if (!read || read.smoke !== label) throw new Error('get after set returned ' + JSON.stringify(read));
  await new Promise((resolve, reject) => store.destroy(sid, (err) => (err ? reject(err) : resolve())));
  const gone = await store.get(sid);
  if (gone != null) throw new Error('get after destroy returned ' + JSON.stringify(gone));
  await store.close();
}
`;

/** Ends a CommonJS smoke script: run `body` (an async function expression) and exit non-zero on failure. */
export function runMain(body: string): string {
  return `(${body})().then(
  () => console.log('smoke ok'),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
`;
}
