// The page's only script: keeps the session list live and ends sessions without a
// page load. It builds rows with DOM calls and textContent, so nothing a user typed
// (their name, a session id) is ever parsed as HTML. Loaded as a module: strict and deferred.

const POLL_MS = 1000;

function cell(text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function sessionRow(entry) {
  const row = document.createElement('tr');
  row.dataset.id = entry.id;
  if (entry.current) row.className = 'current';

  const idCell = document.createElement('td');
  const code = document.createElement('code');
  code.title = entry.id;
  code.textContent = `${entry.id.slice(0, 10)}…`;
  idCell.append(code);
  if (entry.current) {
    const you = document.createElement('em');
    you.textContent = '(you)';
    idCell.append(' ', you);
  }
  row.append(idCell);

  const user = cell(entry.user === null ? 'not logged in' : entry.user, 'user');
  if (entry.user === null) user.classList.add('muted');
  row.append(user, cell(String(entry.visits), 'visits'), cell(entry.ttl, 'ttl'));

  const form = document.createElement('form');
  form.method = 'post';
  form.action = `/sessions/${encodeURIComponent(entry.id)}/destroy`;
  form.className = 'end';
  const button = document.createElement('button');
  button.type = 'submit';
  button.textContent = 'End';
  form.append(button);
  const actions = document.createElement('td');
  actions.append(form);
  row.append(actions);
  return row;
}

function message(text) {
  const row = document.createElement('tr');
  const td = cell(text, 'muted');
  td.colSpan = 5;
  row.append(td);
  return row;
}

function msText(ms) {
  if (ms === null || ms === undefined) return '–';
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

function operationRow(entry) {
  const row = document.createElement('tr');
  row.dataset.operation = entry.operation;
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = entry.operation;
  const errors = entry.errors > 0 ? `${entry.errors} (${entry.lastError})` : '0';
  row.append(
    name,
    cell(String(entry.count), 'count'),
    cell(errors, 'errors'),
    cell(msText(entry.meanMs), 'mean'),
    cell(msText(entry.p50Ms), 'p50'),
    cell(msText(entry.p99Ms), 'p99'),
  );
  return row;
}

function render(list) {
  document.querySelector('#operations tbody').replaceChildren(...(list.operations ?? []).map(operationRow));
  const body = document.querySelector('#sessions tbody');
  if (!list.supported) body.replaceChildren(message(list.reason));
  else if (list.sessions.length === 0) body.replaceChildren(message('no sessions'));
  else body.replaceChildren(...list.sessions.map(sessionRow));
  document.getElementById('session-count').textContent = `(${list.total})`;
}

let polling = false;
// Set while a form post (login, logout, new id) navigates away. A poll answered during that
// navigation would see the old session gone and reload over the navigation's own page load,
// counting one visit twice.
let leaving = false;
async function refresh() {
  if (polling || leaving) return;
  polling = true;
  try {
    const response = await fetch('/sessions.json', { headers: { Accept: 'application/json' } });
    if (!response.ok) return;
    const list = await response.json();
    if (leaving) return; // a form post began while this poll was out
    // This page's session was ended (from another tab, or another browser): show the fresh one.
    if (list.current !== document.body.dataset.sid) {
      window.location.reload();
      return;
    }
    render(list);
  } catch {
    // The server is restarting or unreachable: the next tick tries again.
  } finally {
    polling = false;
  }
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (!form.classList.contains('end')) {
    leaving = true;
    return;
  }
  event.preventDefault();
  await fetch(form.action, { method: 'POST', headers: { Accept: 'application/json' } });
  await refresh();
});

// A page restored from the back/forward cache was left by a form post: it polls again.
window.addEventListener('pageshow', () => {
  leaving = false;
});
setInterval(refresh, POLL_MS);
