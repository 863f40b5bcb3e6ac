// cardline browser UI: the shared frame (session, navigation, language, live stream) and the
// pages. Each page's <body data-page="..." data-permission="..."> picks its setup function.
// The session cookie is HttpOnly; the CSRF token from GET /api/v1/me goes into X-CSRF-Token on
// every state change. No inline scripts or styles (the server's CSP forbids them); untrusted
// text is only ever set with textContent.
'use strict';

const session = { me: null, csrf: '' };

// Pages, the permission each needs, in menu order.
const PAGES = [
  { id: 'operator', href: '/operator.html', permission: 'queue.view' },
  { id: 'line', href: '/line.html', permission: 'queue.view' },
  { id: 'logistics', href: '/logistics.html', permission: 'card.trace' },
  { id: 'manager', href: '/manager.html', permission: 'report.view' },
  { id: 'supervisor', href: '/supervisor.html', permission: 'application.hold' },
  { id: 'audit', href: '/audit.html', permission: 'audit.read' },
];

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { status: response.status, data };
}

// Builds an element: el('td', {class: 'x', text: 'y'}, [children]).
function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (value === undefined || value === null) return;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'i18n') { node.dataset.i18n = value; node.textContent = t(value); }
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  });
  (children || []).forEach((child) => { if (child) node.appendChild(child); });
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function byId(id) { return document.getElementById(id); }
function can(permission) {
  return !!session.me && session.me.permissions.indexOf(permission) >= 0;
}

// Shows a short message in the page's status line (role=status, read by tests and screen
// readers). kind: 'ok' | 'error' | 'info'.
function notify(kind, text) {
  const box = byId('notice');
  if (!box) return;
  box.className = 'notice notice-' + kind;
  box.textContent = text;
  box.hidden = false;
}

function errorText(reply) {
  if (reply.status === 403) return t('error.forbidden');
  const message = reply.data && reply.data.error ? reply.data.error.message : '';
  return t('error.generic') + ' (' + reply.status + ')' + (message ? ': ' + message : '');
}

// Whether this server has a route (any method), to offer a feature only when it exists: a
// registered path answers a GET with anything but 404 (405 for a POST-only route, 400 for
// missing parameters); an unknown one falls through to the static files' 404. Path parameters
// ("{serial}") are probed with a placeholder.
const routeProbes = {};
function serverHas(path) {
  if (!routeProbes[path]) {
    const probe = path.replace(/\{[^}]+\}/g, '_');
    routeProbes[path] = fetch(probe, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((r) => r.status !== 404).catch(() => false);
  }
  return routeProbes[path];
}

function table(columns, rows) {
  const head = el('tr', {}, columns.map((c) => el('th', { i18n: c })));
  return el('table', { class: 'grid' }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
}

function stationLabel(station) { return t('station.' + station); }
function stateBadge(state) {
  return el('span', { class: 'badge state-' + state, 'data-state': state, text: t('state.' + state) });
}
function localTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return isNaN(date.getTime()) ? iso : date.toLocaleString(currentLanguage() === 'vi' ? 'vi-VN' : 'en-GB');
}

// ---- frame -------------------------------------------------------------------------------

function buildBar(pageId) {
  const bar = byId('bar');
  if (!bar) return;
  clear(bar);
  const nav = el('nav', { class: 'nav' }, [
    el('a', { href: '/', i18n: 'nav.home', class: pageId === 'home' ? 'current' : '' }),
  ]);
  PAGES.filter((p) => can(p.permission)).forEach((p) => {
    nav.appendChild(el('a', { href: p.href, i18n: 'nav.' + p.id,
                              class: p.id === pageId ? 'current' : '' }));
  });
  bar.appendChild(el('strong', { class: 'brand', text: 'cardline' }));
  bar.appendChild(nav);
  bar.appendChild(el('span', { id: 'who', text: session.me.display_name + ' (' + session.me.name + ')' }));
  bar.appendChild(el('button', { type: 'button', id: 'lang', class: 'secondary', i18n: 'lang.switch',
    onclick: () => setLanguage(currentLanguage() === 'vi' ? 'en' : 'vi') }));
  bar.appendChild(el('button', { type: 'button', id: 'logout', class: 'secondary', i18n: 'logout',
    onclick: async () => {
      await api('DELETE', '/api/v1/session');
      window.location.assign('/login.html');
    } }));
}

// A live connection to the line's server-sent events; EventSource reconnects by itself and
// resumes after the last event id.
function connectLive(handlers) {
  const indicator = byId('live');
  const source = new EventSource('/api/v1/events/stream');
  source.addEventListener('open', () => {
    if (indicator) { indicator.dataset.i18n = 'live.connected'; indicator.className = 'live on'; }
    translate(indicator ? indicator.parentNode : null);
  });
  source.addEventListener('error', () => {
    if (indicator) { indicator.dataset.i18n = 'live.reconnecting'; indicator.className = 'live off'; }
    translate(indicator ? indicator.parentNode : null);
    // EventSource retries by itself after a dropped stream, but gives up on an error answer
    // (503 when the server has too many streams open): try again a little later.
    if (source.readyState === EventSource.CLOSED) setTimeout(() => connectLive(handlers), 10000);
  });
  source.addEventListener('snapshot', (e) => handlers.snapshot && handlers.snapshot(JSON.parse(e.data)));
  source.addEventListener('line', (e) => handlers.event && handlers.event(JSON.parse(e.data)));
  return source;
}

async function boot() {
  translate(document);
  const page = document.body.dataset.page;
  const langButton = byId('lang');
  if (langButton) {
    langButton.addEventListener('click', () => setLanguage(currentLanguage() === 'vi' ? 'en' : 'vi'));
  }
  if (page === 'login') { setupLogin(); return; }
  const me = await api('GET', '/api/v1/me');
  if (me.status !== 200) { window.location.assign('/login.html'); return; }
  session.me = me.data;
  session.csrf = me.data.csrf_token;
  buildBar(page);
  const needed = document.body.dataset.permission;
  if (needed && !can(needed)) {
    byId('content').hidden = true;
    byId('refused').hidden = false;
    translate(document);
    return;
  }
  const setup = SETUP[page];
  if (setup) await setup();
  translate(document);
  document.body.dataset.ready = 'true';
}

// ---- login and home ----------------------------------------------------------------------

function setupLogin() {
  const form = byId('login-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reply = await api('POST', '/api/v1/session', {
      name: form.elements.name.value, password: form.elements.password.value,
    });
    if (reply.status === 200) {
      window.location.assign('/');
      return;
    }
    const error = byId('login-error');
    const locked = reply.data && reply.data.error && /lock/i.test(reply.data.error.message || '');
    error.dataset.i18n = locked ? 'login.locked' : 'login.error';
    error.textContent = t(error.dataset.i18n);
    error.hidden = false;
    form.elements.password.value = '';
  });
}

function setupHome() {
  byId('user-name').textContent = session.me.display_name;
  byId('user-roles').textContent = session.me.roles.join(', ');
  const pii = byId('user-pii');
  pii.dataset.i18n = session.me.personal_data === 'full' ? 'pii.full' : 'pii.masked';
  const list = byId('page-list');
  PAGES.filter((p) => can(p.permission)).forEach((p) => {
    list.appendChild(el('a', { class: 'tile-link', href: p.href, i18n: 'nav.' + p.id }));
  });
}

// ---- station operator --------------------------------------------------------------------

const STATIONS = ['print', 'encode', 'qa', 'dispatch'];

async function setupOperator() {
  const params = new URLSearchParams(window.location.search);
  let station = params.get('station') || window.localStorage.getItem('cardline.station') || 'print';
  if (STATIONS.indexOf(station) < 0) station = 'print';
  let last = null;

  const picker = byId('station-picker');
  STATIONS.forEach((s) => {
    picker.appendChild(el('button', { type: 'button', class: 'station-button', 'data-station': s,
      i18n: 'station.' + s, onclick: () => {
        station = s;
        window.localStorage.setItem('cardline.station', s);
        render();
      } }));
  });

  async function clearFault(deviceId) {
    const reply = await api('POST', '/api/v1/devices/' + encodeURIComponent(deviceId) + '/clear-fault',
                            { reason: 'cleared at the station screen' });
    if (reply.status !== 200) { notify('error', errorText(reply)); return; }
    notify('ok', t('operator.fault_cleared') + ': ' + deviceId);
    const snapshot = await api('GET', '/api/v1/line/snapshot');
    if (snapshot.status === 200) { last = snapshot.data; render(); }
  }

  function render() {
    picker.querySelectorAll('button').forEach((b) => {
      b.classList.toggle('selected', b.dataset.station === station);
      b.setAttribute('aria-pressed', b.dataset.station === station ? 'true' : 'false');
    });
    byId('station-name').textContent = stationLabel(station);
    if (!last) return;
    const queue = (last.queues || []).find((q) => q.station === station) || { ready: 0, leased: 0 };
    byId('queue-ready').textContent = String(queue.ready);
    byId('queue-leased').textContent = String(queue.leased);
    const devices = (last.devices || []).filter((d) => d.station === station);
    const list = byId('device-list');
    clear(list);
    if (devices.length === 0) list.appendChild(el('p', { class: 'muted', i18n: 'operator.no_devices' }));
    devices.forEach((d) => {
      const tile = el('div', { class: 'device-tile state-' + d.state, 'data-device': d.id }, [
        el('div', { class: 'device-head' }, [el('strong', { text: d.id }), stateBadge(d.state)]),
        el('div', { class: 'device-job' }, [
          el('span', { i18n: 'operator.current_job' }), el('span', { text: ': ' }),
          d.current_job ? el('strong', { text: d.current_job }) : el('span', { i18n: 'operator.no_job' }),
        ]),
        el('div', { class: 'muted' }, [
          el('span', { i18n: 'operator.jobs_done' }), el('span', { text: ' ' + d.jobs_done + ' · ' }),
          el('span', { i18n: 'operator.jobs_failed' }), el('span', { text: ' ' + d.jobs_failed }),
        ]),
      ]);
      if (d.state === 'fault' && can('device.clear_fault')) {
        tile.appendChild(el('button', { type: 'button', class: 'danger big clear-fault',
          'data-device': d.id, i18n: 'operator.clear_fault', onclick: () => clearFault(d.id) }));
      }
      list.appendChild(tile);
    });
    translate(byId('content'));
  }

  // Reject by scanning or typing a serial: only when the server has a reject route.
  const rejectPath = '/api/v1/cards/{serial}/reject';
  const form = byId('reject-form');
  const available = await serverHas(rejectPath);
  form.elements.serial.disabled = !available;
  form.elements.send.disabled = !available;
  byId('reject-unavailable').hidden = available;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const serial = form.elements.serial.value.trim();
    if (!serial) return;
    const reply = await api('POST', '/api/v1/cards/' + encodeURIComponent(serial) + '/reject',
                            { reason: form.elements.reason.value, station });
    if (reply.status === 200) notify('ok', serial); else notify('error', errorText(reply));
    form.elements.serial.value = '';
    form.elements.serial.focus();
  });

  document.addEventListener('cardline:language', render);
  render();
  connectLive({ snapshot: (s) => { last = s; render(); } });
}

// ---- line overview -----------------------------------------------------------------------

function setupLine() {
  const history = [];  // snapshots of the last 5 minutes (for throughput)
  const events = [];
  let last = null;

  function throughputPerHour(station) {
    if (history.length < 2) return null;
    const first = history[0];
    const newest = history[history.length - 1];
    const seconds = (Date.parse(newest.at) - Date.parse(first.at)) / 1000;
    if (!(seconds > 0)) return null;
    const done = (s) => ((s.queues || []).find((q) => q.station === station) || { done: 0 }).done || 0;
    return Math.round(((done(newest) - done(first)) / seconds) * 3600);
  }

  function render() {
    if (!last) return;
    const grid = byId('stations');
    clear(grid);
    STATIONS.forEach((station) => {
      const queue = (last.queues || []).find((q) => q.station === station) || { ready: 0, leased: 0 };
      const devices = (last.devices || []).filter((d) => d.station === station);
      const faults = devices.filter((d) => d.state === 'fault');
      const rate = throughputPerHour(station);
      grid.appendChild(el('section', { class: 'station-card' + (faults.length ? ' has-fault' : ''),
                                       'data-station': station }, [
        el('h2', { i18n: 'station.' + station }),
        el('div', { class: 'figures' }, [
          figure('operator.ready', queue.ready), figure('operator.leased', queue.leased),
          figure('line.throughput', rate === null ? '–' : rate),
          figure('line.devices_count', devices.length),
        ]),
        el('div', { class: 'device-row' }, devices.map((d) =>
          el('span', { class: 'chip state-' + d.state, title: d.state, text: d.id }))),
      ]));
    });
    const faults = byId('faults');
    clear(faults);
    const faulty = (last.devices || []).filter((d) => d.state === 'fault');
    if (faulty.length === 0) faults.appendChild(el('p', { class: 'ok-text', i18n: 'line.no_faults' }));
    faulty.forEach((d) => faults.appendChild(el('p', { class: 'fault-line' }, [
      stateBadge('fault'), el('strong', { text: ' ' + d.id + ' ' }),
      el('span', { text: '(' + stationLabel(d.station) + ')' }),
    ])));
    const list = byId('events');
    clear(list);
    events.slice(-30).reverse().forEach((e) => list.appendChild(el('li', {}, [
      el('span', { class: 'muted', text: localTime(e.at) + ' ' }),
      el('strong', { text: e.kind }), el('span', { text: ' ' + e.subject_type + ' ' + e.subject_id }),
      el('span', { class: 'muted', text: ' · ' + e.actor }),
    ])));
    translate(byId('content'));
  }

  function figure(label, value) {
    return el('div', { class: 'figure' }, [
      el('div', { class: 'figure-value', text: String(value) }), el('div', { class: 'figure-label', i18n: label }),
    ]);
  }

  document.addEventListener('cardline:language', render);
  connectLive({
    snapshot: (s) => {
      last = s;
      history.push(s);
      const cutoff = Date.parse(s.at) - 5 * 60 * 1000;
      while (history.length > 2 && Date.parse(history[0].at) < cutoff) history.shift();
      render();
    },
    event: (e) => {
      events.push(e);
      if (events.length > 200) events.shift();
      render();
    },
  });
}

// ---- logistics ---------------------------------------------------------------------------

async function setupLogistics() {
  if (!(await serverHas('/api/v1/track'))) {
    byId('logistics-unavailable').hidden = false;
    byId('trace-form').hidden = true;
    return;
  }
  const form = byId('trace-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const query = form.elements.q.value.trim();
    if (!query) return;
    const reply = await api('GET', '/api/v1/track?q=' + encodeURIComponent(query));
    const out = byId('trace-result');
    clear(out);
    if (reply.status === 404) { out.appendChild(el('p', { class: 'error', i18n: 'logistics.not_found' })); return; }
    if (reply.status !== 200) { out.appendChild(el('p', { class: 'error', text: errorText(reply) })); return; }
    const r = reply.data;
    out.appendChild(el('dl', { class: 'facts' }, [
      el('dt', { i18n: 'logistics.location' }), el('dd', { id: 'trace-location', class: 'big-text', text: r.location }),
      el('dt', { i18n: 'logistics.matched_by' }), el('dd', { text: r.matched_by }),
    ]));
    out.appendChild(el('h3', { i18n: 'logistics.applications' }));
    out.appendChild(table(['col.id', 'col.name', 'col.personal_number', 'col.step', 'col.state', 'col.unit'],
      (r.applications || []).map((a) => el('tr', {}, [a.id, a.full_name, a.personal_number, a.step,
        a.state, a.receiving_unit].map((v) => el('td', { text: v }))))));
    out.appendChild(el('h3', { i18n: 'logistics.history' }));
    out.appendChild(table(['col.at', 'col.subject', 'col.kind', 'col.actor'],
      (r.history || []).map((h) => el('tr', {}, [localTime(h.at), h.subject_type + ' ' + h.subject_id,
        h.kind, h.actor].map((v) => el('td', { text: v }))))));
    translate(out);
  });

  const boxes = await api('GET', '/api/v1/boxes?state=open');
  if (boxes.status === 200) {
    byId('boxes').appendChild(table(['col.id', 'col.unit', 'col.cards', 'col.state'],
      (boxes.data.boxes || []).map((b) => el('tr', {}, [b.id, b.receiving_unit_name,
        b.card_count + '/' + b.capacity, b.state].map((v) => el('td', { text: v }))))));
  }
  const overdue = await api('GET', '/api/v1/shipments/overdue');
  if (overdue.status === 200) {
    byId('shipments').appendChild(table(['col.id', 'col.carrier', 'col.state', 'col.due'],
      (overdue.data.overdue || []).map((o) => el('tr', {}, [o.shipment.id, o.shipment.carrier,
        o.shipment.state, localTime(o.shipment.due_at)].map((v) => el('td', { text: v }))))));
  }
}

// ---- manager dashboard -------------------------------------------------------------------

function isoDay(date) { return date.toISOString().slice(0, 10); }

function barChart(chart) {
  const lang = currentLanguage();
  const categories = chart.categories || [];
  const series = chart.series || [];  // lines are drawn as bars too (simple, readable)
  const width = 640;
  const height = 240;
  const max = Math.max(1, ...series.flatMap((s) => (s.values || []).map((v) => Number(v) || 0)));
  // Labels come as {vi, en} (the report's chart model) or as plain text.
  const text = (label) => (label && typeof label === 'object'
    ? (label[lang] || label.en || label.vi || '') : String(label || ''));
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (height + 40));
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const groupWidth = categories.length ? width / categories.length : width;
  const barWidth = Math.max(2, (groupWidth - 8) / Math.max(1, series.length));
  categories.forEach((category, i) => {
    series.forEach((s, j) => {
      const value = Number((s.values || [])[i]) || 0;
      const h = Math.round((value / max) * height);
      const rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('x', String(i * groupWidth + 4 + j * barWidth));
      rect.setAttribute('y', String(height - h));
      rect.setAttribute('width', String(barWidth - 1));
      rect.setAttribute('height', String(h));
      rect.setAttribute('class', 'series-' + (j % 6));
      const tip = document.createElementNS(ns, 'title');
      tip.textContent = text(s.label) + ' · ' + text(category) + ': ' + value;
      rect.appendChild(tip);
      svg.appendChild(rect);
    });
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', String(i * groupWidth + groupWidth / 2));
    label.setAttribute('y', String(height + 16));
    label.setAttribute('text-anchor', 'middle');
    label.textContent = text(category);
    svg.appendChild(label);
  });
  const title = chart.title ? (chart.title[lang] || chart.title.en || '') : chart.id;
  return el('figure', { class: 'chart-box' }, [svg, el('figcaption', { text: title + ' — ' +
    series.map((s) => text(s.label)).join(', ') })]);
}

async function setupManager() {
  if (!(await serverHas('/api/v1/reports/throughput'))) {
    byId('manager-unavailable').hidden = false;
    byId('report-form').hidden = true;
    return;
  }
  const form = byId('report-form');
  const today = isoDay(new Date());
  form.elements.from.value = today;
  form.elements.to.value = today;
  let report = null;

  function links() {
    const query = 'from=' + encodeURIComponent(form.elements.from.value) + '&to=' +
                  encodeURIComponent(form.elements.to.value);
    const pdf = byId('pdf-link');
    pdf.href = '/api/v1/reports/throughput?' + query + '&format=pdf';
    pdf.setAttribute('download', 'cardline-report-' + form.elements.from.value + '.pdf');
    const csv = byId('csv-link');
    csv.href = '/api/v1/reports/throughput?' + query + '&format=csv';
    csv.setAttribute('download', 'cardline-report-' + form.elements.from.value + '.csv');
  }

  function render() {
    const out = byId('report');
    clear(out);
    if (!report) return;
    const lang = currentLanguage();
    out.appendChild(el('div', { class: 'figures headline' }, (report.headlines || []).map((h) =>
      el('div', { class: 'figure' }, [
        el('div', { class: 'figure-value', text: String(h.value) }),
        el('div', { class: 'figure-label', text: h.label ? (h.label[lang] || h.label.en) : '' }),
      ]))));
    (report.charts || []).forEach((c) => out.appendChild(barChart(c)));
  }

  async function load() {
    links();
    const reply = await api('GET', '/api/v1/reports/throughput?from=' +
      encodeURIComponent(form.elements.from.value) + '&to=' + encodeURIComponent(form.elements.to.value));
    if (reply.status === 404) {  // documented, but not registered by this server
      byId('manager-unavailable').hidden = false;
      byId('pdf-link').hidden = true;
      byId('csv-link').hidden = true;
      report = null;
    } else if (reply.status !== 200) {
      notify('error', errorText(reply));
      report = null;
    } else {
      report = reply.data;
    }
    render();
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); load(); });
  form.elements.from.addEventListener('change', links);
  form.elements.to.addEventListener('change', links);
  document.addEventListener('cardline:language', render);
  await load();
}

// ---- supervisor --------------------------------------------------------------------------

async function setupSupervisor() {
  async function act(id, verb, reason, extra) {
    if (!reason) { notify('error', t('error.reason_required')); return false; }
    const reply = await api('POST', '/api/v1/applications/' + encodeURIComponent(id) + '/' + verb,
                            Object.assign({ reason }, extra || {}));
    if (reply.status !== 200) { notify('error', errorText(reply)); return false; }
    notify('ok', t('supervisor.done') + ': ' + id + ' → ' + reply.data.state);
    await loadHeld();
    return true;
  }

  async function loadHeld() {
    const out = byId('held');
    clear(out);
    const reply = await api('GET', '/api/v1/applications?state=held');
    if (reply.status !== 200) { out.appendChild(el('p', { class: 'error', text: errorText(reply) })); return; }
    const apps = reply.data.applications || [];
    if (apps.length === 0) { out.appendChild(el('p', { class: 'muted', i18n: 'supervisor.none_held' })); return; }
    out.appendChild(table(['col.id', 'col.name', 'col.personal_number', 'col.step', 'col.held_by',
      'supervisor.reason', 'col.actions'], apps.map((a) => {
      const reason = el('input', { class: 'reason', 'data-i18n-placeholder': 'supervisor.reason',
                                   'aria-label': 'reason' });
      return el('tr', { 'data-application': a.id }, [
        el('td', { text: a.id }), el('td', { text: a.full_name }), el('td', { text: a.personal_number }),
        el('td', { text: a.step }), el('td', { text: a.held_by }), el('td', { text: a.reason }),
        el('td', { class: 'actions' }, [reason,
          el('button', { type: 'button', class: 'ok', i18n: 'supervisor.release',
                         onclick: () => act(a.id, 'release', reason.value.trim()) }),
          can('application.cancel') ? el('button', { type: 'button', class: 'danger', i18n: 'supervisor.cancel',
                         onclick: () => act(a.id, 'cancel', reason.value.trim()) }) : null,
        ]),
      ]);
    })));
    translate(out);
  }

  const holdForm = byId('hold-form');
  holdForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const id = holdForm.elements.application.value.trim();
    if (await act(id, 'hold', holdForm.elements.reason.value.trim())) holdForm.reset();
  });
  byId('urgent-button').addEventListener('click', async () => {
    const id = holdForm.elements.application.value.trim();
    await act(id, 'prioritise', holdForm.elements.reason.value.trim(), { priority: 'urgent' });
  });
  await loadHeld();

  // Destruction (dual control) and shift close, when the blank-stock API exists.
  const hasBlanks = await serverHas('/api/v1/blanks/destructions');
  byId('blanks-unavailable').hidden = hasBlanks;
  byId('blank-actions').hidden = !hasBlanks;
  if (!hasBlanks) return;
  const lines = (text) => text.split(/\s+/).map((s) => s.trim()).filter((s) => s);
  async function post(path, body) {
    const reply = await api('POST', path, body);
    if (reply.status >= 200 && reply.status < 300) {
      notify('ok', t('supervisor.done') + ': ' + JSON.stringify(reply.data));
    } else {
      notify('error', errorText(reply));
    }
  }
  byId('destruction-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = event.target;
    await post('/api/v1/blanks/destructions', { serials: lines(f.elements.serials.value), reason: f.elements.reason.value });
  });
  byId('confirm-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = event.target;
    await post('/api/v1/blanks/destructions/' + encodeURIComponent(f.elements.id.value.trim()) + '/confirm', {});
  });
  byId('shift-open-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await post('/api/v1/shifts', { line: event.target.elements.line.value.trim() });
  });
  byId('shift-close-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = event.target;
    await post('/api/v1/shifts/' + encodeURIComponent(f.elements.id.value.trim()) + '/close',
               { counted: lines(f.elements.counted.value) });
  });
}

// ---- audit -------------------------------------------------------------------------------

async function setupAudit() {
  let after = 0;
  const body = byId('audit-rows');
  async function more() {
    const reply = await api('GET', '/api/v1/audit?after=' + after + '&limit=100');
    if (reply.status !== 200) { notify('error', errorText(reply)); return; }
    (reply.data.entries || []).forEach((e) => {
      after = Math.max(after, e.seq);
      body.appendChild(el('tr', {}, [String(e.seq), localTime(e.at), e.actor, e.action, e.subject,
        e.detail].map((v) => el('td', { text: v }))));
    });
    byId('audit-more').hidden = (reply.data.entries || []).length < 100;
  }
  byId('audit-more').addEventListener('click', more);
  const verify = byId('audit-verify');
  verify.disabled = !can('audit.verify');
  verify.addEventListener('click', async () => {
    const reply = await api('POST', '/api/v1/audit/verify');
    const out = byId('audit-verdict');
    if (reply.status !== 200) { out.textContent = errorText(reply); out.className = 'verdict bad'; return; }
    out.dataset.i18n = reply.data.intact ? 'audit.intact' : 'audit.broken';
    out.className = 'verdict ' + (reply.data.intact ? 'good' : 'bad');
    out.textContent = t(out.dataset.i18n) + ' (' + reply.data.entries_checked + ')';
  });
  await more();
}

const SETUP = {
  home: setupHome,
  operator: setupOperator,
  line: setupLine,
  logistics: setupLogistics,
  manager: setupManager,
  supervisor: setupSupervisor,
  audit: setupAudit,
};

boot();
