/**
 * The web UI's browser script, as text inlined into the page (plain ES2020, no build step). It only posts the
 * forms and swaps in the report fragment the server renders, so all the rendering stays in one place.
 */
export const CLIENT_SCRIPT = `
const $ = (s) => document.querySelector(s);
function fields(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') { if (el.checked) (out[el.name] = out[el.name] || []).push(el.value); }
    else out[el.name] = el.value;
  }
  return out;
}
async function post(path, body, form) {
  for (const e of document.querySelectorAll('.field-error')) e.textContent = '';
  $('#message').textContent = '';
  let res;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  } catch (err) {
    $('#message').textContent = 'the swarm process does not answer: ' + err.message;
    return;
  }
  if (res.ok) return;
  const data = await res.json().catch(() => ({}));
  if (data.error && data.error.fields && form) {
    for (const [name, message] of Object.entries(data.error.fields)) {
      const el = form.querySelector('[data-error-for="' + name + '"]');
      if (el) el.textContent = message;
    }
  } else {
    $('#message').textContent = data.error ? data.error.message : 'HTTP ' + res.status;
  }
}
$('#start-form').addEventListener('submit', (e) => { e.preventDefault(); post('/api/start', fields(e.target), e.target); });
$('#change-form').addEventListener('submit', (e) => { e.preventDefault(); post('/api/users', fields(e.target), e.target); });
$('#stop').addEventListener('click', () => post('/api/stop'));
$('#reset').addEventListener('click', () => post('/api/reset'));
function show(d) {
  document.body.dataset.state = d.state;
  $('#run-state').textContent = d.state;
  $('#running-users').textContent = String(d.userCount);
  $('#run-error').textContent = d.error || '';
  $('#report').innerHTML = d.html;
}
const events = new EventSource('/events');
events.onmessage = (m) => show(JSON.parse(m.data));
`;
