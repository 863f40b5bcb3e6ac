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

// The logistics location sentence (mes/logistics/trace.cc writes it in English) in the page's
// language: each form the server writes is matched and its parts (steps, states, defects) are
// translated; a form not listed here is shown as it is and counted in MISSING_CODES.
const LOCATION_FORMS = [
  [/^cancelled at step (\S+)$/, 'location.cancelled', ['step:step']],
  [/^held at step (\S+)$/, 'location.held', ['step:step']],
  [/^in production at step (\S+) \((\w+)\)$/, 'location.in_production', ['step:step', 'state:appstate']],
  [/^card (\S+) spoiled \((.*)\)$/, 'location.card_spoiled', ['serial', 'reason:outcome']],
  [/^card (\S+) (\w+) in the line$/, 'location.card_in_line', ['serial', 'state:cardstate']],
  [/^at dispatch, being packed in box (\S+) for (.+) \((\d+) cards\)$/, 'location.box_open', ['box', 'unit', 'cards']],
  [/^at dispatch in box (\S+) \(seal (\S+)\) for (.+), awaiting hand-over$/, 'location.box_packed', ['box', 'seal', 'unit']],
  [/^box (\S+) for (.+?): (.*)$/, 'location.box_shipment', ['box', 'unit', 'where:location']],
  [/^box (\S+) (\w+)$/, 'location.box_state', ['box', 'state:boxstate']],
  [/^delivered to (.+) in box (\S+) at (\S+), confirmed by (.+)$/, 'location.box_delivered', ['unit', 'box', 'at:time', 'by']],
  [/^in transit with (.+) \(tracking (\S+), shipment (\S+)\), due (\S+), OVERDUE$/, 'location.in_transit_overdue', ['carrier', 'tracking', 'shipment', 'due:time']],
  [/^in transit with (.+) \(tracking (\S+), shipment (\S+)\), due (\S+)$/, 'location.in_transit', ['carrier', 'tracking', 'shipment', 'due:time']],
  [/^handed over to (.+) \(tracking (\S+), shipment (\S+)\), due (\S+), OVERDUE$/, 'location.handed_over_overdue', ['carrier', 'tracking', 'shipment', 'due:time']],
  [/^handed over to (.+) \(tracking (\S+), shipment (\S+)\), due (\S+)$/, 'location.handed_over', ['carrier', 'tracking', 'shipment', 'due:time']],
  [/^delivered \(shipment (\S+), (.+) (\S+)\) at (\S+)$/, 'location.shipment_delivered', ['shipment', 'carrier', 'tracking', 'at:time']],
  [/^returned by (.+) \(shipment (\S+)\)$/, 'location.returned', ['carrier', 'shipment']],
  [/^lost by (.+) \(shipment (\S+)\)$/, 'location.lost', ['carrier', 'shipment']],
];
function locationText(text) {
  for (const [pattern, key, parts] of LOCATION_FORMS) {
    const m = pattern.exec(text || '');
    if (!m) continue;
    const values = {};
    parts.forEach((part, i) => {
      const [name, kind] = part.split(':');
      const raw = m[i + 1];
      values[name] = kind === 'location' ? locationText(raw) : kind === 'time' ? localTime(raw)
        : kind ? codeText(kind, raw) : raw;
    });
    return t(key).replace(/\{(\w+)\}/g, (_, name) => values[name]);
  }
  if (text) MISSING_CODES.add('location: ' + text);
  return text || '';
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
  byId('user-roles').textContent = session.me.roles.map((r) => codeText('role', r)).join(', ');
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
    const held = queue.held >= 0 ? queue.held : null;
    byId('queue-ready').textContent = String(queue.ready - (held || 0));
    byId('queue-leased').textContent = String(queue.leased);
    byId('queue-held').textContent = held === null ? '–' : String(held);
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
  const events = [];
  let last = null;

  function render() {
    if (!last) return;
    const grid = byId('stations');
    clear(grid);
    STATIONS.forEach((station) => {
      const queue = (last.queues || []).find((q) => q.station === station) || { ready: 0, leased: 0 };
      const held = queue.held >= 0 ? queue.held : 0;
      const devices = (last.devices || []).filter((d) => d.station === station);
      const faults = devices.filter((d) => d.state === 'fault');
      const hourStart = new Date(Date.parse(last.at));
      hourStart.setMinutes(0, 0, 0);
      const since = String(hourStart.getHours()).padStart(2, '0') + ':00';
      grid.appendChild(el('section', { class: 'station-card' + (faults.length ? ' has-fault' : ''),
                                       'data-station': station }, [
        el('h2', { i18n: 'station.' + station }),
        el('div', { class: 'figures' }, [
          figure('operator.ready', queue.ready - held), figure('operator.leased', queue.leased),
          figure('operator.held_short', held),
          figure('line.this_hour', queue.this_hour === undefined ? '–' : queue.this_hour, ' ' + since),
          figure('line.last_hour', queue.last_hour === undefined ? '–' : queue.last_hour),
          figure('line.devices_count', devices.length),
        ]),
        el('div', { class: 'device-row' }, devices.map((d) =>
          el('span', { class: 'chip state-' + d.state, title: t('state.' + d.state), text: d.id }))),
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
      el('strong', { class: 'event-kind', 'data-kind': e.kind, text: codeText('event', e.kind) }),
      el('span', { text: ' · ' + codeText('subject', e.subject_type) + ' ' + e.subject_id }),
      el('span', { class: 'muted', text: ' · ' + e.actor }),
    ])));
    translate(byId('content'));
  }

  function figure(label, value, suffix) {
    return el('div', { class: 'figure', 'data-figure': label }, [
      el('div', { class: 'figure-value', text: String(value) }),
      el('div', { class: 'figure-label' }, [el('span', { i18n: label }), suffix ? el('span', { text: suffix }) : null]),
    ]);
  }

  document.addEventListener('cardline:language', render);
  connectLive({
    snapshot: (s) => {
      last = s;
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
      el('dt', { i18n: 'logistics.location' }), el('dd', { id: 'trace-location', class: 'big-text', text: locationText(r.location) }),
      el('dt', { i18n: 'logistics.matched_by' }), el('dd', { text: codeText('tracekey', r.matched_by) }),
    ]));
    out.appendChild(el('h3', { i18n: 'logistics.applications' }));
    out.appendChild(table(['col.id', 'col.name', 'col.personal_number', 'col.step', 'col.state', 'col.unit'],
      (r.applications || []).map((a) => el('tr', {}, [a.id, a.full_name, a.personal_number,
        codeText('step', a.step), codeText('appstate', a.state), a.receiving_unit]
        .map((v) => el('td', { text: v }))))));
    out.appendChild(el('h3', { i18n: 'logistics.history' }));
    out.appendChild(table(['col.at', 'col.subject', 'col.kind', 'col.actor'],
      (r.history || []).map((h) => el('tr', {}, [localTime(h.at),
        codeText('subject', h.subject_type) + ' ' + h.subject_id, codeText('event', h.kind), h.actor]
        .map((v) => el('td', { text: v }))))));
    translate(out);
  });

  const boxes = await api('GET', '/api/v1/boxes?state=open');
  if (boxes.status === 200) {
    byId('boxes').appendChild(table(['col.id', 'col.unit', 'col.cards', 'col.state'],
      (boxes.data.boxes || []).map((b) => el('tr', {}, [b.id, b.receiving_unit_name,
        b.card_count + '/' + b.capacity, codeText('boxstate', b.state)].map((v) => el('td', { text: v }))))));
  }
  const overdue = await api('GET', '/api/v1/shipments/overdue');
  if (overdue.status === 200) {
    byId('shipments').appendChild(table(['col.id', 'col.carrier', 'col.state', 'col.due'],
      (overdue.data.overdue || []).map((o) => el('tr', {}, [o.shipment.id, o.shipment.carrier,
        codeText('shipmentstate', o.shipment.state), localTime(o.shipment.due_at)].map((v) => el('td', { text: v }))))));
  }
}

// ---- manager dashboard -------------------------------------------------------------------

// YYYY-MM-DD of the browser's local calendar day (the report's days are the factory's local days).
function isoDay(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate());
}

// A category of the report's charts in the page's language: codes ("print",
// "print:print_smudge") through the dictionary, other categories (hours, days) as they are.
function chartCategory(chart, i) {
  const code = (chart.category_codes || [])[i];
  if (!code) return chart.categories[i];
  const [station, defect] = code.split(':');
  return defect === undefined ? stationLabel(station) : stationLabel(station) + ': ' + codeText('outcome', defect);
}

function drawReportChart(chart, width) {
  return drawChart(chart, { width, lang: currentLanguage(), categoryText: chartCategory,
                            unitText: (u) => codeText('unit', u), noData: t('manager.no_data') });
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

  // Quick ranges next to the two date fields.
  const presets = byId('report-presets');
  [['manager.range_today', 0], ['manager.range_7', 6], ['manager.range_30', 29]].forEach(([key, back]) => {
    presets.appendChild(el('button', { type: 'button', class: 'secondary preset', i18n: key, onclick: () => {
      const from = new Date();
      from.setDate(from.getDate() - back);
      form.elements.from.value = isoDay(from);
      form.elements.to.value = today;
      load();
    } }));
  });

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
    byId('report-period').textContent = report.period.from + ' – ' + report.period.to;
    // The SVG's width: the figure's inner width (its padding and border are 2 × 13 px).
    const width = Math.min((out.clientWidth || 760) - 28, 1200);
    const charts = el('div', { class: 'charts' });
    (report.charts || []).forEach((c) => charts.appendChild(drawReportChart(c, width)));
    out.appendChild(charts);
    // The report's tables with exact numbers (those whose cells hold no untranslated codes; the
    // Pareto's defects are in words on its chart): per station with cards per active clock hour,
    // per shift, cycle time against the service levels, work in progress.
    (report.tables || []).filter((tb) => ['stations', 'shifts', 'cycle', 'wip'].indexOf(tb.id) >= 0)
      .forEach((tb) => {
        const head = el('tr', {}, tb.columns.map((c) => el('th', { text: c[lang] || c.en })));
        out.appendChild(el('section', { class: 'report-table', 'data-table': tb.id }, [
          el('h2', { text: tb.title[lang] || tb.title.en }),
          el('div', { class: 'table-scroll' }, [el('table', { class: 'grid numbers' }, [el('thead', {}, [head]),
            el('tbody', {}, tb.rows.map((r) => el('tr', {}, r.map((cell) => el('td', { text: cell })))))])]),
        ]));
      });
  }
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(render, 200);
  });

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
    notify('ok', t('supervisor.done') + ': ' + id + ' → ' + codeText('appstate', reply.data.state));
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
        el('td', { text: codeText('step', a.step) }), el('td', { text: a.held_by }), el('td', { text: a.reason }),
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

// Audit actions offered in the filter (the list of the server's actions is not served; these
// are the ones the services write, ending in '.' for a whole group).
const AUDIT_ACTIONS = ['', 'user.', 'user.login', 'user.login_failed', 'user.locked', 'user.logout',
  'user.add', 'user.disable', 'user.enable', 'user.passwd', 'application.', 'application.hold',
  'application.release', 'application.cancel', 'application.prioritise', 'card.reject', 'device.',
  'device.add', 'device.remove', 'device.clear_fault', 'device.refused', 'blanks.', 'shift.',
  'audit.verify'];

// An audit entry's detail (a JSON object text) as label/value pairs; other text as it is.
function auditDetail(detail) {
  let parsed = null;
  try { parsed = JSON.parse(detail || '{}'); } catch (e) { parsed = null; }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return el('span', { class: 'detail-text', text: detail || '' });
  }
  const keys = Object.keys(parsed);
  if (keys.length === 0) return el('span', { class: 'muted', text: '–' });
  const list = el('dl', { class: 'detail-fields' });
  keys.forEach((key) => {
    const value = parsed[key];
    let text;
    if (value === null || value === undefined) text = '–';
    else if (Array.isArray(value)) text = value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
    else if (typeof value === 'object') text = Object.entries(value).map(([k, v]) => k + ': ' + v).join(', ');
    else if (key === 'station') text = stationLabel(value);
    else if (key === 'state' || key === 'state_before') text = codeText('state', value);
    else if (key === 'reason' && t('outcome.' + value) !== 'outcome.' + value) text = t('outcome.' + value);
    else if (key === 'reason' && t('reason.' + value) !== 'reason.' + value) text = t('reason.' + value);
    else if (key === 'roles') text = String(value).split(',').map((r) => codeText('role', r.trim())).join(', ');
    else if (typeof value === 'boolean') text = t('value.' + value);
    else text = String(value);
    list.appendChild(el('dt', { 'data-field': key, text: auditFieldLabel(key) }));
    list.appendChild(el('dd', { text }));
  });
  return list;
}
function auditFieldLabel(key) {
  const label = t('field.' + key);
  return label === 'field.' + key ? key.replace(/_/g, ' ') : label;
}

async function setupAudit() {
  const form = byId('audit-filter');
  const body = byId('audit-rows');
  const actions = form.elements.action;
  AUDIT_ACTIONS.forEach((a) => {
    actions.appendChild(el('option', { value: a, text: a === '' ? t('audit.any') :
      a.endsWith('.') ? t('audit.group') + ': ' + codeText('subject', a.slice(0, -1)) : codeText('action', a) }));
  });
  const params = new URLSearchParams(window.location.search);
  ['actor', 'action', 'subject', 'from', 'to'].forEach((k) => { if (params.get(k)) form.elements[k].value = params.get(k); });
  let before = 0;
  const actors = new Set();

  function query() {
    const q = new URLSearchParams();
    ['actor', 'action', 'subject'].forEach((k) => { const v = form.elements[k].value.trim(); if (v) q.set(k, v); });
    // Dates are the browser's local calendar days: from midnight to the next midnight.
    if (form.elements.from.value) q.set('from', new Date(form.elements.from.value + 'T00:00:00').toISOString());
    if (form.elements.to.value) {
      const end = new Date(form.elements.to.value + 'T00:00:00');
      end.setDate(end.getDate() + 1);
      q.set('to', end.toISOString());
    }
    q.set('limit', '50');
    return q;
  }

  async function load(fresh) {
    if (fresh) { before = 0; clear(body); }
    const q = query();
    if (before > 0) q.set('before', String(before));
    const reply = await api('GET', '/api/v1/audit?' + q.toString());
    if (reply.status !== 200) { notify('error', errorText(reply)); return; }
    (reply.data.entries || []).forEach((e) => {
      actors.add(e.actor);
      body.appendChild(el('tr', { 'data-seq': e.seq, 'data-action': e.action }, [
        el('td', { text: String(e.seq) }), el('td', { text: localTime(e.at) }),
        el('td', { text: e.actor }),
        el('td', {}, [el('span', { class: 'action-name', text: codeText('action', e.action) }),
                      el('div', { class: 'muted code', text: e.action })]),
        el('td', { class: 'subject', text: e.subject }),
        el('td', {}, [auditDetail(e.detail)]),
      ]));
    });
    before = reply.data.next_before || 0;
    byId('audit-more').hidden = before === 0;
    byId('audit-empty').hidden = body.children.length > 0;
    const list = byId('audit-actors');
    clear(list);
    actors.forEach((a) => list.appendChild(el('option', { value: a })));
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); load(true); });
  form.addEventListener('reset', () => setTimeout(() => load(true), 0));
  byId('audit-more').addEventListener('click', () => load(false));
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
  await load(true);
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
