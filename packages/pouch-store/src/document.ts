/**
 * The layout of a session document:
 *
 * ```json
 * { "_id": "sess:<sid>", "_rev": "3-…", "type": "session", "data": "<serialized session>", "expiresAt": 1767225600000 }
 * ```
 *
 * The session lives in `data`, encoded by the store's serializer, so no PouchDB field
 * (`_id`, `_rev`, …) or bookkeeping ever reaches `req.session`, and `type` tells session
 * documents from the other documents of a shared database.
 */

/** The `type` of every session document. */
export const SESSION_TYPE = 'session';

/** A session document as written by the store. */
export interface SessionDocument {
  _id: string;
  _rev?: string;
  type: typeof SESSION_TYPE;
  /** The session, encoded with the store's serializer. */
  data: string;
  /** Expiry in epoch milliseconds; `null` never expires. */
  expiresAt: number | null;
  /** The session's user, by the store's `userOf` option; absent without it or for a session of nobody. */
  user?: string;
}

/** What the store keeps of a stored session: enough to answer reads and to update it. */
export interface StoredSession {
  readonly rev: string;
  readonly text: string;
  readonly expiresAt: number | null;
  /** The `user` field, kept as it is through touch. */
  readonly user?: string | undefined;
}

/** What a document under a session's id turned out to be. */
export type LoadedDocument =
  | { readonly state: 'missing' }
  /** Not a session document (no `type: 'session'`): the store neither reads nor counts it. */
  | { readonly state: 'foreign'; readonly rev: string }
  /** A session document whose fields are not what the store writes. */
  | { readonly state: 'corrupt'; readonly rev: string; readonly reason: string }
  | { readonly state: 'session'; readonly stored: StoredSession };

/** Builds the document for a session. `rev` is omitted for a first write. */
export function sessionDocument(
  docId: string,
  rev: string | undefined,
  text: string,
  expiresAt: number | null,
  user?: string,
): SessionDocument {
  const doc: SessionDocument = { _id: docId, type: SESSION_TYPE, data: text, expiresAt };
  if (rev !== undefined) doc._rev = rev;
  if (user !== undefined) doc.user = user;
  return doc;
}

/** Classifies a document read from the database (`null`/`undefined` = missing or deleted). */
export function loadDocument(doc: Record<string, unknown> | null | undefined): LoadedDocument {
  if (!doc || doc._deleted === true) return { state: 'missing' };
  const rev = typeof doc._rev === 'string' ? doc._rev : '';
  if (doc.type !== SESSION_TYPE) return { state: 'foreign', rev };
  const { data, expiresAt } = doc;
  if (typeof data !== 'string') return { state: 'corrupt', rev, reason: 'the data field is not text' };
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) {
    return { state: 'corrupt', rev, reason: 'the expiresAt field is not a time' };
  }
  const user = typeof doc.user === 'string' ? doc.user : undefined;
  return { state: 'session', stored: { rev, text: data, expiresAt, user } };
}

/** Whether a session with this expiry has expired at `now`. */
export function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && expiresAt <= now;
}

/**
 * Whether a scanned document is a live session of the store: a session document that
 * has not expired. Corrupt session documents count (they are the store's, and `clear`
 * must remove them); foreign documents do not.
 */
export function isListedSession(doc: Record<string, unknown> | null | undefined, now: number): boolean {
  if (!doc || doc.type !== SESSION_TYPE) return false;
  const { expiresAt } = doc;
  return !(typeof expiresAt === 'number' && expiresAt <= now);
}

// PouchDB and CouchDB reserve ids starting with "_" (`_design/`, `_local/`), and
// express-session generates such a session id once in 64. A leading "_" is therefore
// percent-escaped, and so is a leading "%" to keep the encoding reversible.
const ESCAPES: ReadonlyArray<readonly [raw: string, escaped: string]> = [
  ['_', '%5F'],
  ['%', '%25'],
];

/** The document id of a backend key (prefix + sid). Only the first character ever changes. */
export function encodeDocId(key: string): string {
  for (const [raw, escaped] of ESCAPES) {
    if (key.startsWith(raw)) return escaped + key.slice(raw.length);
  }
  return key;
}

/** The backend key of a document id, or `undefined` for an id {@link encodeDocId} never produces. */
export function decodeDocId(docId: string): string | undefined {
  for (const [raw, escaped] of ESCAPES) {
    if (docId.startsWith(escaped)) return raw + docId.slice(escaped.length);
  }
  if (docId.startsWith('_') || docId.startsWith('%')) return undefined;
  return docId;
}

/** The generation of a revision (`"3-abc"` → 3); 0 when it cannot be read. */
export function revisionGeneration(rev: string): number {
  const generation = Number.parseInt(rev, 10);
  return Number.isFinite(generation) ? generation : 0;
}
