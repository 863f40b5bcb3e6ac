// The schema history. Append new migrations at the end; never edit a released one.
// Tokens ({key}, {text}, ..., {insert_ignore}) are explained in
// mes/storage/migrations.h.

#include "mes/storage/migrations.h"
#include "mes/storage/schema/0002_blank_stock.h"
#include "mes/storage/schema/0004_logistics.h"
#include "mes/storage/schema/0003_report_rollups.h"

namespace cardline {
namespace {

// 0001: the domain model of the foundation issue.
Migration initialSchema() {
  return Migration{1, "initial", {
R"sql(CREATE TABLE IF NOT EXISTS stations (
  id {key} NOT NULL PRIMARY KEY,
  station_type {key} NOT NULL,
  name {text} NOT NULL,
  node_id {key} NOT NULL,
  created_at BIGINT NOT NULL
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS devices (
  id {key} NOT NULL PRIMARY KEY,
  station_type {key} NOT NULL,
  station_id {key} NULL,
  state {key} NOT NULL,
  public_key {text} NOT NULL,
  node_id {key} NOT NULL,
  current_job {key} NOT NULL,
  last_heartbeat BIGINT NOT NULL,
  jobs_done BIGINT NOT NULL,
  jobs_failed BIGINT NOT NULL,
  FOREIGN KEY (station_id) REFERENCES stations (id)
){table})sql",

// Personal data never appears in clear: person_sealed is the Person record and
// personal_number_sealed the 12-digit number, both AES-256-GCM under the PII key with the
// application id as context; personal_number_hash is the keyed look-up hash.
R"sql(CREATE TABLE IF NOT EXISTS applications (
  seq {serial},
  id {key} NOT NULL UNIQUE,
  approval_ref {key} NOT NULL,
  approved_at BIGINT NOT NULL,
  card_model {key} NOT NULL,
  request_type {key} NOT NULL,
  priority {key} NOT NULL,
  personal_number_hash {key} NOT NULL,
  personal_number_sealed {blob} NOT NULL,
  person_sealed {blob} NOT NULL,
  issue_date {key} NOT NULL,
  receiving_unit_code {key} NOT NULL,
  receiving_unit_name {text} NOT NULL,
  content_hash {key} NOT NULL,
  workflow {key} NOT NULL,
  step {key} NOT NULL,
  state {key} NOT NULL,
  revision BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  print_due BIGINT NOT NULL,
  dispatch_due BIGINT NOT NULL
){table})sql",
"CREATE INDEX IF NOT EXISTS applications_by_number ON applications (personal_number_hash)",
"CREATE INDEX IF NOT EXISTS applications_by_state ON applications (state)",
"CREATE INDEX IF NOT EXISTS applications_by_content ON applications (content_hash)",

R"sql(CREATE TABLE IF NOT EXISTS blank_lots (
  id {key} NOT NULL PRIMARY KEY,
  card_model {key} NOT NULL,
  supplier {key} NOT NULL,
  first_serial {key} NOT NULL,
  last_serial {key} NOT NULL,
  quantity BIGINT NOT NULL,
  received_at BIGINT NOT NULL
){table})sql",

// One row per blank card serial of a lot: in_stock, issued (to a station), consumed
// (personalised), spoiled, returned.
R"sql(CREATE TABLE IF NOT EXISTS blank_serials (
  serial {key} NOT NULL PRIMARY KEY,
  lot_id {key} NOT NULL,
  state {key} NOT NULL,
  station_id {key} NULL,
  updated_at BIGINT NOT NULL,
  FOREIGN KEY (lot_id) REFERENCES blank_lots (id)
){table})sql",
"CREATE INDEX IF NOT EXISTS blank_serials_by_lot ON blank_serials (lot_id, state)",

// One physical card per blank serial, bound to an application at print.
R"sql(CREATE TABLE IF NOT EXISTS cards (
  serial {key} NOT NULL PRIMARY KEY,
  application_id {key} NOT NULL,
  state {key} NOT NULL,
  spoil_reason {text} NOT NULL,
  spoil_station {key} NOT NULL,
  signer_id {key} NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications (id)
){table})sql",
"CREATE INDEX IF NOT EXISTS cards_by_application ON cards (application_id)",

R"sql(CREATE TABLE IF NOT EXISTS station_jobs (
  id {serial},
  application_id {key} NOT NULL,
  station {key} NOT NULL,
  step {key} NOT NULL,
  attempt BIGINT NOT NULL,
  state {key} NOT NULL,
  priority {key} NOT NULL,
  priority_rank BIGINT NOT NULL,
  due BIGINT NOT NULL,
  receiving_unit {key} NOT NULL,
  province {key} NOT NULL,
  device_id {key} NOT NULL,
  node_id {key} NOT NULL,
  lease_expires BIGINT NOT NULL,
  outcome {key} NOT NULL,
  created_at BIGINT NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications (id)
){table})sql",
"CREATE INDEX IF NOT EXISTS station_jobs_queue "
"ON station_jobs (station, state, priority_rank, due, id)",
"CREATE INDEX IF NOT EXISTS station_jobs_leases ON station_jobs (state, lease_expires)",
"CREATE INDEX IF NOT EXISTS station_jobs_by_application ON station_jobs (application_id)",

// The append-only history.
R"sql(CREATE TABLE IF NOT EXISTS events (
  seq {serial},
  at BIGINT NOT NULL,
  subject_type {key} NOT NULL,
  subject_id {key} NOT NULL,
  kind {key} NOT NULL,
  actor {key} NOT NULL,
  detail {longtext} NOT NULL
){table})sql",
"CREATE INDEX IF NOT EXISTS events_by_subject ON events (subject_type, subject_id, seq)",

R"sql(CREATE TABLE IF NOT EXISTS shipments (
  id {key} NOT NULL PRIMARY KEY,
  carrier {key} NOT NULL,
  state {key} NOT NULL,
  manifest_ref {key} NOT NULL,
  created_at BIGINT NOT NULL,
  handed_over_at BIGINT NOT NULL,
  delivered_at BIGINT NOT NULL
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS boxes (
  id {key} NOT NULL PRIMARY KEY,
  receiving_unit_code {key} NOT NULL,
  state {key} NOT NULL,
  shipment_id {key} NULL,
  card_count BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  sealed_at BIGINT NOT NULL,
  FOREIGN KEY (shipment_id) REFERENCES shipments (id)
){table})sql",
"CREATE INDEX IF NOT EXISTS boxes_by_unit ON boxes (receiving_unit_code, state)",

R"sql(CREATE TABLE IF NOT EXISTS box_cards (
  box_id {key} NOT NULL,
  serial {key} NOT NULL UNIQUE,
  packed_at BIGINT NOT NULL,
  PRIMARY KEY (box_id, serial),
  FOREIGN KEY (box_id) REFERENCES boxes (id),
  FOREIGN KEY (serial) REFERENCES cards (serial)
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS users (
  name {key} NOT NULL PRIMARY KEY,
  display_name {text} NOT NULL,
  roles {text} NOT NULL,
  password_hash {text} NOT NULL,
  disabled BIGINT NOT NULL,
  failed_logins BIGINT NOT NULL,
  locked_until BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){table})sql",

// Hash-chained audit trail; seq is handed out from counters ('audit_seq') so it has no gaps.
R"sql(CREATE TABLE IF NOT EXISTS audit_entries (
  seq BIGINT NOT NULL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor {key} NOT NULL,
  action {key} NOT NULL,
  subject {text} NOT NULL,
  detail {longtext} NOT NULL,
  prev_hash {key} NOT NULL,
  hash {key} NOT NULL
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS counters (
  name {key} NOT NULL PRIMARY KEY,
  value BIGINT NOT NULL
){table})sql",
"{insert_ignore} INTO counters (name, value) VALUES ('audit_seq', 0)",
  }};
}

}  // namespace

const std::vector<Migration>& schemaMigrations() {
  // Each later migration lives in its own file (schema/NNNN_name.cc) and is listed here once.
  static const std::vector<Migration> migrations = {
      initialSchema(),
      blankStockMigration(),  // 0002
      reportRollupsMigration(),  // 0003
      logisticsMigration(),  // 0004
  };
  return migrations;
}

}  // namespace cardline
