import { isDeepStrictEqual } from 'node:util';
import { VerificationFailure } from './context';
import type { SessionItem } from './fixtures';
import type { StoreOps } from './store-ops';

/**
 * Checks that keep a broken store from looking fast. Sessions are compared after a JSON
 * round trip (a store returns `cookie.expires` as a string; express-session revives it).
 */

const SAMPLE_SIZE = 100;

function normalize(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function withoutCookie(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const { cookie: _cookie, ...rest } = value as Record<string, unknown>;
  return rest;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Whether `result` (a store's session or a raw client's string) is what was stored for `item`. */
export function matchesItem(result: unknown, item: SessionItem, ignoreCookie = false): boolean {
  if (typeof result === 'string') return result === item.json;
  if (ignoreCookie)
    return isDeepStrictEqual(withoutCookie(normalize(result)), withoutCookie(normalize(item.session)));
  return isDeepStrictEqual(normalize(result), normalize(item.session));
}

/** The cheap check made on every timed `get`: the result is the session stored under this id. */
export function isOwnedBy(result: unknown, item: SessionItem): boolean {
  if (typeof result === 'string') return result === item.json;
  return result !== null && typeof result === 'object' && (result as { owner?: unknown }).owner === item.id;
}

/** @throws VerificationFailure unless `result` is what was stored for `item`. */
export function expectItem(result: unknown, item: SessionItem, what: string, ignoreCookie = false): void {
  if (!matchesItem(result, item, ignoreCookie)) {
    throw new VerificationFailure(
      `${what}: get(${item.id}) returned ${show(result)}, expected ${show(item.json)}`,
    );
  }
}

/** The cheap check of every timed `get`. @throws VerificationFailure unless `result` is `item`'s session. */
export function expectOwned(result: unknown, item: SessionItem, what: string): void {
  if (!isOwnedBy(result, item)) {
    throw new VerificationFailure(
      `${what}: get(${item.id}) returned ${show(result)}, expected the session it owns`,
    );
  }
}

/** @throws VerificationFailure unless `result` is a miss (null or undefined). */
export function expectMissing(result: unknown, id: string, what: string): void {
  if (result !== null && result !== undefined) {
    throw new VerificationFailure(`${what}: get(${id}) returned ${show(result)}, expected nothing`);
  }
}

/** Evenly spread sample of `items`. */
export function sampleOf<T>(items: readonly T[], size = SAMPLE_SIZE): T[] {
  const step = Math.max(1, Math.floor(items.length / size));
  const sample: T[] = [];
  for (let i = 0; i < items.length && sample.length < size; i += step) sample.push(items[i] as T);
  return sample;
}

/** `get`, as verification sees its result (see {@link StoreOps.view}). */
async function viewedGet(ops: StoreOps, id: string): Promise<unknown> {
  const result = await ops.get(id);
  return ops.view ? ops.view(result) : result;
}

/** Before anything is timed: set, get deep-equal, overwrite, a miss, destroy. */
export async function verifyRoundTrip(ops: StoreOps, first: SessionItem, second: SessionItem): Promise<void> {
  await ops.set(first);
  expectItem(await viewedGet(ops, first.id), first, 'round trip');
  // Overwrite first.id with second's data: the store must return the newer one.
  const overwrite: SessionItem = { ...second, id: first.id };
  await ops.set(overwrite);
  expectItem(await viewedGet(ops, first.id), overwrite, 'overwrite');
  expectMissing(await ops.get(second.id), second.id, 'missing id');
  if (ops.destroy) {
    await ops.destroy(first.id);
    expectMissing(await ops.get(first.id), first.id, 'after destroy');
  }
}

/** Gets a sample of `items` and checks each against what was stored. */
export async function verifySample(
  ops: StoreOps,
  items: readonly SessionItem[],
  what: string,
  ignoreCookie = false,
): Promise<void> {
  for (const item of sampleOf(items)) expectItem(await viewedGet(ops, item.id), item, what, ignoreCookie);
}

/** Gets a sample of `items` and checks each is gone. */
export async function verifySampleMissing(
  ops: StoreOps,
  items: readonly SessionItem[],
  what: string,
): Promise<void> {
  for (const item of sampleOf(items)) expectMissing(await ops.get(item.id), item.id, what);
}

/** The sessions in an `all()` result: an array of sessions carrying `id`, or express-session's map by id. */
export function sessionsOfAll(result: unknown): Array<{ id: string; session: unknown }> {
  if (Array.isArray(result)) {
    return result.map((session) => ({ id: String((session as { id?: unknown }).id), session }));
  }
  if (result !== null && typeof result === 'object') {
    return Object.entries(result as Record<string, unknown>).map(([id, session]) => ({ id, session }));
  }
  throw new VerificationFailure(`all() returned ${show(result)}, expected sessions`);
}

/**
 * @throws VerificationFailure unless `all()` returned exactly `items`, with a sample deep-equal
 * apart from the cookie (which `touch` may have refreshed).
 */
export function expectAll(
  result: unknown,
  items: readonly SessionItem[],
  view: (session: unknown) => unknown = (session) => session,
): void {
  const found = sessionsOfAll(result).map(({ id, session }) => ({ id, session: view(session) }));
  if (found.length !== items.length) {
    throw new VerificationFailure(`all() returned ${found.length} sessions, expected ${items.length}`);
  }
  const byId = new Map(found.map((entry) => [entry.id, entry.session]));
  for (const item of sampleOf(items)) {
    const session = byId.get(item.id);
    if (session === undefined) throw new VerificationFailure(`all() lacks session ${item.id}`);
    // Stores add the id to each session of all(); compare the rest.
    const { id: _id, ...data } = normalize(session) as Record<string, unknown>;
    if (!isDeepStrictEqual(withoutCookie(data), withoutCookie(normalize(item.session)))) {
      throw new VerificationFailure(
        `all(): session ${item.id} is ${show(session)}, expected ${show(item.json)}`,
      );
    }
  }
}

/** @throws VerificationFailure unless `length()` equals `expected`. */
export function expectLength(actual: number, expected: number, what: string): void {
  if (actual !== expected)
    throw new VerificationFailure(`${what}: length() is ${actual}, expected ${expected}`);
}
