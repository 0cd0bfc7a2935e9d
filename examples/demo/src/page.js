const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/** Renders the demo's single page. */
function renderPage({ storeName, sessionId, user, visits }) {
  const who = user
    ? `<p>Signed in as <strong>${escapeHtml(user)}</strong>.</p>
       <form method="post" action="/logout"><button>Log out</button></form>`
    : `<form method="post" action="/login">
         <label>Name <input name="name" required maxlength="64"></label> <button>Log in</button>
       </form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>session-stores demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .3em}</style></head>
<body>
<h1>session-stores demo</h1>
<p>Store: <code>${escapeHtml(storeName)}</code></p>
<p>Visits in this session: <strong id="visits">${visits}</strong></p>
<p>Session id: <code id="sid">${escapeHtml(sessionId)}</code></p>
${who}
<form method="post" action="/regenerate"><button>New session id</button></form>
</body></html>`;
}

module.exports = { renderPage };
