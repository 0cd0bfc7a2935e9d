// What the page's session list shows: every session of the store, from `all()`.

/** At most this many sessions are listed, so a busy store cannot make the page huge. */
const MAX_LISTED = 200;

/**
 * Milliseconds until a stored cookie expires: `cookie.expires` comes back from a store
 * as a Date or an ISO string; null means a browser-session cookie (no expiry).
 */
function remainingMs(cookie, now) {
  const expires = cookie?.expires;
  if (!expires) return null;
  const at = new Date(expires).getTime();
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Lists the store's sessions for the page, newest expiry first, the caller's own
 * marked `current`. A store whose manifest declares no `all()` gets a reason instead.
 * @param {import('@session-stores/core').SessionStore} store
 * @param {string} currentId the session id of the request asking
 */
async function describeSessions(store, currentId) {
  if (!store.constructor.capabilities.methods.all) {
    return {
      supported: false,
      reason: 'this store declares no all(), so it cannot list its sessions',
      sessions: [],
      total: 0,
    };
  }
  const all = await store.all();
  // Read the clock after the store answered: a session touched while all() ran would
  // otherwise show more time left than its cookie's maxAge.
  const now = Date.now();
  const sessions = all
    .map((stored) => ({
      id: stored.id,
      current: stored.id === currentId,
      user: typeof stored.user === 'string' ? stored.user : null,
      visits: typeof stored.visits === 'number' ? stored.visits : 0,
      ttlMs: remainingMs(stored.cookie, now),
    }))
    .map((entry) => ({ ...entry, ttl: formatTtl(entry.ttlMs) }))
    .sort((a, b) => Number(b.current) - Number(a.current) || (b.ttlMs ?? Infinity) - (a.ttlMs ?? Infinity));
  return { supported: true, sessions: sessions.slice(0, MAX_LISTED), total: sessions.length };
}

/** `29:59`, `1:02:03`, or `no expiry`. */
function formatTtl(ms) {
  if (ms === null || ms === undefined) return 'no expiry';
  const total = Math.ceil(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

module.exports = { MAX_LISTED, describeSessions, formatTtl, remainingMs };
