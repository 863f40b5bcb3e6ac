// cardline browser UI: login and the home placeholder. The session cookie is HttpOnly; the CSRF
// token from the login (or GET /api/v1/me) goes into X-CSRF-Token on every state change.
'use strict';

async function api(method, path, body, csrf) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { status: response.status, data };
}

function setupLogin() {
  const form = document.getElementById('login-form');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reply = await api('POST', '/api/v1/session', {
      name: form.elements.name.value, password: form.elements.password.value,
    });
    if (reply.status === 200) {
      window.location.assign('/');
    } else {
      document.getElementById('login-error').hidden = false;
      form.elements.password.value = '';
    }
  });
}

async function setupHome() {
  const who = document.getElementById('who');
  if (!who) return;
  const me = await api('GET', '/api/v1/me');
  if (me.status !== 200) {
    window.location.assign('/login.html');
    return;
  }
  who.textContent = me.data.display_name + ' (' + me.data.name + ')';
  document.getElementById('user-name').textContent = me.data.display_name;
  document.getElementById('user-roles').textContent = me.data.roles.join(', ');
  document.getElementById('user-pii').textContent =
      me.data.personal_data === 'full' ? 'đầy đủ / full' : 'che bớt / masked';
  document.getElementById('logout').addEventListener('click', async () => {
    await api('DELETE', '/api/v1/session', undefined, me.data.csrf_token);
    window.location.assign('/login.html');
  });
}

setupLogin();
setupHome();
