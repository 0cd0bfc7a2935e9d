// The demo's HTML, rendered on the server. Every value is escaped here; the page's
// script (public/demo.js) only ever sets textContent, never HTML.
const { formatMs } = require('./operation-stats');
/** Escapes text for HTML content and quoted attribute values. */
const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const yes = (flag) => (flag ? '✓' : '–');

/** The capabilities manifest as rows a person can read. */
function capabilityRows(capabilities) {
  const { methods, events } = capabilities;
  const rows = [
    ['touch()', yes(methods.touch)],
    ['all() / ids()', `${yes(methods.all)} / ${yes(methods.ids)}`],
    ['length()', yes(methods.length)],
    ['clear()', yes(methods.clear)],
    [
      'TTL step',
      capabilities.ttlGranularityMs >= 1000
        ? `${capabilities.ttlGranularityMs / 1000} s`
        : `${capabilities.ttlGranularityMs} ms`,
    ],
    ['expired sessions leave the backend', yes(capabilities.expiresOnServer)],
    ['prefix isolation', yes(capabilities.prefixIsolation)],
    [
      'events',
      [events.connect && 'connect', events.disconnect && 'disconnect'].filter(Boolean).join(', ') || '–',
    ],
    [
      'replication lag',
      capabilities.replicationLagMs > 0 ? `up to ${capabilities.replicationLagMs} ms` : 'none',
    ],
  ];
  return rows
    .map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
}

/** One row of the session list; public/demo.js builds the same markup with DOM calls. */
function sessionRow(entry) {
  const id = escapeHtml(entry.id);
  return `<tr data-id="${id}"${entry.current ? ' class="current"' : ''}>
  <td><code title="${id}">${escapeHtml(entry.id.slice(0, 10))}…</code>${entry.current ? ' <em>(you)</em>' : ''}</td>
  <td class="user">${entry.user === null ? '<span class="muted">not logged in</span>' : escapeHtml(entry.user)}</td>
  <td class="visits">${escapeHtml(entry.visits)}</td>
  <td class="ttl">${escapeHtml(entry.ttl)}</td>
  <td><form method="post" action="/sessions/${escapeHtml(encodeURIComponent(entry.id))}/destroy" class="end">
    <button type="submit">End</button></form></td>
</tr>`;
}

/** The list's body: rows, or why there are none. */
function sessionListBody(list) {
  if (!list.supported) return `<tr><td colspan="5" class="muted">${escapeHtml(list.reason)}</td></tr>`;
  if (list.sessions.length === 0) return '<tr><td colspan="5" class="muted">no sessions</td></tr>';
  return list.sessions.map(sessionRow).join('\n');
}

/** One row of the operations table; public/demo.js builds the same markup with DOM calls. */
function operationRow(row) {
  const errors = row.errors > 0 ? `${row.errors} (${row.lastError})` : '0';
  return `<tr data-operation="${escapeHtml(row.operation)}"><th scope="row">${escapeHtml(row.operation)}</th>
  <td class="count">${escapeHtml(row.count)}</td><td class="errors">${escapeHtml(errors)}</td>
  <td class="mean">${escapeHtml(formatMs(row.meanMs))}</td><td class="p50">${escapeHtml(formatMs(row.p50Ms))}</td>
  <td class="p99">${escapeHtml(formatMs(row.p99Ms))}</td></tr>`;
}

/**
 * "Your sessions": the signed-in user's sessions (from the store's user index), this one
 * marked, and "Log out everywhere else". Nothing when nobody is signed in.
 * @param {string} sessionId
 * @param {{ supported: boolean, reason?: string, sessions: Array<{ id: string, expires: Date | null }> } | undefined} yours
 */
function yourSessions(sessionId, yours) {
  if (!yours) return '';
  if (!yours.supported) {
    return `<section id="your-sessions"><h2>Your sessions</h2><p class="muted">${escapeHtml(yours.reason ?? 'not available')}</p></section>`;
  }
  const rows = yours.sessions
    .map(
      ({ id, expires }) =>
        `<li><code>${escapeHtml(id)}</code>${id === sessionId ? ' <strong>(this one)</strong>' : ''}${
          expires ? ` <span class="muted">until ${escapeHtml(new Date(expires).toISOString())}</span>` : ''
        }</li>`,
    )
    .join('\n');
  return `<section id="your-sessions">
<h2>Your sessions <span class="muted" id="your-session-count">(${escapeHtml(yours.sessions.length)})</span></h2>
<ul>
${rows}
</ul>
<form method="post" action="/logout-everywhere-else"><button type="submit" id="logout-everywhere-else">Log out everywhere else</button></form>
<p class="muted">From the store's <code>sessionsOf(user)</code>; the button calls <code>destroyAllOf(user, { except: this session })</code>.</p>
</section>
`;
}

/**
 * Renders the demo's single page.
 * @param {{ store: { name: string, packageName: string, className: string, detail: string, capabilities: import('@session-stores/core').StoreCapabilities }, sessionId: string, user?: string, visits: number, list: { supported: boolean, reason?: string, sessions: object[], total: number }, yours?: { supported: boolean, reason?: string, sessions: Array<{ id: string, expires: Date | null }> }, operations?: object[] }} view
 */
function renderPage({ store, sessionId, user, visits, list, yours, operations = [] }) {
  const who = user
    ? `<p>Signed in as <strong id="user">${escapeHtml(user)}</strong>.</p>
<form method="post" action="/logout"><button type="submit" id="logout">Log out</button></form>`
    : `<form method="post" action="/login" id="login">
  <label>Name <input name="name" required maxlength="64" autocomplete="off"></label>
  <button type="submit">Log in</button>
</form>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>session-stores demo</title>
<link rel="stylesheet" href="/demo.css">
<script type="module" src="/demo.js"></script>
</head>
<body data-sid="${escapeHtml(sessionId)}">
<h1>session-stores demo</h1>
<p>Store: <strong id="store-name">${escapeHtml(store.name)}</strong>:
<code>${escapeHtml(store.className)}</code> from <code>${escapeHtml(store.packageName)}</code>
${store.detail ? `<br><span class="muted" id="store-detail">${escapeHtml(store.detail)}</span>` : ''}</p>

<section>
<h2>Your session</h2>
<p>Visits in this session: <strong id="visits">${escapeHtml(visits)}</strong></p>
<p>Session id: <code id="sid">${escapeHtml(sessionId)}</code></p>
${who}
<form method="post" action="/regenerate"><button type="submit" id="regenerate">New session id</button></form>
</section>

${yourSessions(sessionId, yours)}
<section>
<h2>Sessions in the store <span class="muted" id="session-count">(${escapeHtml(list.total)})</span></h2>
<table id="sessions">
<thead><tr><th>id</th><th>name</th><th>visits</th><th>expires in</th><th></th></tr></thead>
<tbody>
${sessionListBody(list)}
</tbody>
</table>
<p class="muted">From the store's <code>all()</code>, refreshed every second.</p>
</section>

<section>
<h2>Store operations</h2>
<table id="operations">
<thead><tr><th>operation</th><th>count</th><th>errors</th><th>mean</th><th>p50</th><th>p99</th></tr></thead>
<tbody>
${operations.map(operationRow).join('\n')}
</tbody>
</table>
<p class="muted">Every call of <code>${escapeHtml(store.className)}</code> since the demo started (latencies of the last
200 of each), from the store channels <code>session-stores:store:&lt;operation&gt;</code>, refreshed every second.</p>
</section>

<section>
<h2>Capabilities of <code>${escapeHtml(store.className)}</code></h2>
<table id="capabilities">
${capabilityRows(store.capabilities)}
</table>
<details><summary>the manifest (<code>${escapeHtml(store.className)}.capabilities</code>)</summary>
<pre id="manifest">${escapeHtml(JSON.stringify(store.capabilities, null, 2))}</pre></details>
</section>
</body>
</html>`;
}

/** A page for an error, e.g. the store being unreachable. */
function renderErrorPage(status, message) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>error ${escapeHtml(status)}</title>
<link rel="stylesheet" href="/demo.css"></head>
<body><h1>Error ${escapeHtml(status)}</h1><p id="error">${escapeHtml(message)}</p><p><a href="/">back</a></p></body></html>`;
}

module.exports = { escapeHtml, renderErrorPage, renderPage };
