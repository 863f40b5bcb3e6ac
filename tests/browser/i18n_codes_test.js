#!/usr/bin/env node
// Every code the server can send to a page has words in both languages (web/i18n.js): the codes
// are gathered from where they are defined — the C++ name tables (stations, states, roles, trace
// keys), the event kinds the services write, the simulated devices' defect codes and the
// outcomes and step names of the shipped workflows — and each must have `kind.code` in the
// Vietnamese and the English table. Fails listing every missing key (file of the code included).
//
// Environment: CARDLINE_SOURCE_DIR (default ../..).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const source = path.resolve(process.env.CARDLINE_SOURCE_DIR || path.join(__dirname, '..', '..'));
const read = (file) => fs.readFileSync(path.join(source, file), 'utf8');

function loadDictionary() {
  const context = { window: { localStorage: { getItem: () => null } }, document: {} };
  vm.createContext(context);
  vm.runInContext(read('web/i18n.js') + '\nthis.I18N = I18N;', context, { filename: 'web/i18n.js' });
  return context.I18N;
}

// wanted: Map key -> where the code was found.
const wanted = new Map();
function want(kind, code, where) {
  if (!code || code === '*' || code === '?') return;
  const key = kind + '.' + code;
  if (!wanted.has(key)) wanted.set(key, where);
}
function all(regex, text) { return Array.from(text.matchAll(regex)); }
function filesUnder(dir, ext) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(source, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(rel, ext));
    else if (entry.name.endsWith(ext)) out.push(rel);
  }
  return out;
}
function expectSome(kind, min) {
  const n = Array.from(wanted.keys()).filter((k) => k.startsWith(kind + '.')).length;
  if (n < min) throw new Error('found only ' + n + ' codes of ' + kind + ' (expected at least ' + min +
                               '): the sources moved, update tests/browser/i18n_codes_test.js');
}

// C++ name tables: const std::pair<E, const char*> kTable[] = {{E::kX, "code"}, ...};
const names = read('mes/core/names.cc');
const tables = { kStationTypes: 'station', kApplicationStates: 'appstate', kCardStates: 'cardstate',
                 kJobStates: 'jobstate', kDeviceStates: 'state', kRoles: 'role' };
for (const [table, kind] of Object.entries(tables)) {
  const m = new RegExp(table + '\\[\\] = \\{([\\s\\S]*?)\\};').exec(names);
  if (!m) throw new Error('mes/core/names.cc: no table ' + table);
  all(/\{\w+::k\w+, "([^"]+)"\}/g, m[1]).forEach((x) => want(kind, x[1], 'mes/core/names.cc ' + table));
}
const logistics = read('mes/core/logistics.h');
for (const [table, kind] of Object.entries({ kBoxStates: 'boxstate', kShipmentStates: 'shipmentstate',
                                             kDiscrepancyStates: 'discrepancystate' })) {
  const m = new RegExp(table + '\\[\\] = \\{([^}]*)\\}').exec(logistics);
  if (!m) throw new Error('mes/core/logistics.h: no table ' + table);
  all(/"([a-z_]+)"/g, m[1]).forEach((x) => want(kind, x[1], 'mes/core/logistics.h ' + table));
}
all(/case TraceKey::k\w+: return "([a-z_]+)"/g, read('mes/logistics/trace.cc'))
  .forEach((x) => want('tracekey', x[1], 'mes/logistics/trace.cc'));

// Event kinds and subject types the services write.
for (const file of filesUnder('mes', '.cc')) {
  const text = read(file);
  all(/(?:appendEvent|event)\(tx, "([a-z_]+)", [^,]+, "([a-z_]+)"/g, text).forEach((x) => {
    want('subject', x[1], file);
    want('event', x[2], file);
  });
  all(/\bevent\.kind = "([a-z_]+)"/g, text).forEach((x) => want('event', x[1], file));
  // A kind chosen into a variable first (card_event = "passed_qa").
  all(/\b\w*_event = "([a-z_]+)";/g, text).forEach((x) => want('event', x[1], file));
  // A state's name written as the event kind (event(tx, "box", id, name(state), ...)).
  all(/(?:appendEvent|event)\(tx, "(box|shipment)", [^,]+, name\(/g, text).forEach((x) => {
    const states = x[1] === 'box' ? 'kBoxStates' : 'kShipmentStates';
    const m = new RegExp(states + '\\[\\] = \\{([^}]*)\\}').exec(logistics);
    all(/"([a-z_]+)"/g, m[1]).forEach((y) => want('event', y[1], file + ' (' + x[1] + ' states)'));
  });
  all(/subject_type = "([a-z_]+)"/g, text).forEach((x) => want('subject', x[1], file));
}
const engine = read('mes/workflow/engine.cc');
const kinds = /\/\/ Event kinds[^\n]*\n([\s\S]*?)\n\n/.exec(engine);
if (!kinds) throw new Error('mes/workflow/engine.cc: no "// Event kinds" block');
all(/constexpr const char\* k\w+ = "([a-z_]+)";/g, kinds[1])
  .forEach((x) => want('event', x[1], 'mes/workflow/engine.cc'));

// Defect codes of the simulated devices: `kX,  // "code": ...`.
all(/k\w+,\s*\/\/ "([a-z_]+)"/g, read('devices/sim/sim_defects.h'))
  .forEach((x) => want('outcome', x[1], 'devices/sim/sim_defects.h'));

// Workflows: step names and outcomes (the keys of each step's `on:` map) and their actions.
for (const file of filesUnder('workflows', '.yaml')) {
  const text = read(file);
  all(/^\s+- name: ([a-z_]+)/gm, text).forEach((x) => want('step', x[1], file));
  for (const block of all(/^(\s+)on:\n((?:\1\s+.*\n)+)/gm, text)) {
    all(/^\s+"?([a-z_*]+)"?: ([a-z_]+)/gm, block[2]).forEach((x) => want('outcome', x[1], file));
  }
}

for (const [kind, min] of [['station', 4], ['appstate', 4], ['state', 4], ['role', 6], ['event', 20],
                           ['subject', 5], ['outcome', 10], ['step', 5], ['boxstate', 5]]) {
  expectSome(kind, min);
}

const dictionary = loadDictionary();
const missing = [];
for (const [key, where] of wanted) {
  for (const lang of ['vi', 'en']) {
    if (!Object.prototype.hasOwnProperty.call(dictionary[lang], key)) {
      missing.push(lang + ': ' + key + '  (code from ' + where + ')');
    }
  }
}
// Both languages have the same keys.
for (const [a, b] of [['vi', 'en'], ['en', 'vi']]) {
  for (const key of Object.keys(dictionary[a])) {
    if (!Object.prototype.hasOwnProperty.call(dictionary[b], key)) {
      missing.push(b + ': ' + key + '  (present in ' + a + ')');
    }
  }
}
if (missing.length) {
  console.log('FAIL  codes without a translation in web/i18n.js:\n  ' + missing.join('\n  '));
  process.exitCode = 1;
} else {
  console.log('PASS  ' + wanted.size + ' codes translated in both languages');
}
