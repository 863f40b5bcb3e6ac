// 0002: blank card stock (mes/core/blank_stock.h). Extends blank_lots and blank_serials of
// 0001 and adds the movement ledger, shifts, destructions (dual control) and flags.
//
// SQLite adds one column per ALTER TABLE and needs a default for NOT NULL columns; MySQL
// cannot default TEXT columns, so the new columns are {key} (VARCHAR) or BIGINT. The
// blank_serials.station_id column of 0001 holds the device of the hopper.

#include "mes/storage/schema/0002_blank_stock.h"

namespace cardline {

Migration blankStockMigration() {
  return Migration{2, "blank_stock", {
"ALTER TABLE blank_lots ADD COLUMN line {key} NOT NULL DEFAULT ''",
"ALTER TABLE blank_lots ADD COLUMN chip_type {key} NOT NULL DEFAULT ''",
"ALTER TABLE blank_lots ADD COLUMN received_by {key} NOT NULL DEFAULT ''",
"ALTER TABLE blank_serials ADD COLUMN reason {key} NOT NULL DEFAULT ''",
"ALTER TABLE blank_serials ADD COLUMN spoil_station {key} NOT NULL DEFAULT ''",
"CREATE INDEX IF NOT EXISTS blank_serials_by_state ON blank_serials (state, serial)",

// The append-only ledger: one row per change of state of one serial.
R"sql(CREATE TABLE IF NOT EXISTS blank_movements (
  seq {serial},
  at BIGINT NOT NULL,
  serial {key} NOT NULL,
  lot_id {key} NOT NULL,
  line {key} NOT NULL,
  from_state {key} NOT NULL,
  to_state {key} NOT NULL,
  device_id {key} NOT NULL,
  actor {key} NOT NULL,
  reason {text} NOT NULL,
  station {key} NOT NULL
){table})sql",
"CREATE INDEX IF NOT EXISTS blank_movements_by_line ON blank_movements (line, seq)",
"CREATE INDEX IF NOT EXISTS blank_movements_by_at ON blank_movements (at)",

// counted: the serials counted on hand at close, one per line.
R"sql(CREATE TABLE IF NOT EXISTS shifts (
  id {serial},
  line {key} NOT NULL,
  state {key} NOT NULL,
  opened_at BIGINT NOT NULL,
  opened_by {key} NOT NULL,
  opened_seq BIGINT NOT NULL,
  closed_at BIGINT NOT NULL,
  closed_by {key} NOT NULL,
  closed_seq BIGINT NOT NULL,
  counted {longtext} NOT NULL
){table})sql",
"CREATE INDEX IF NOT EXISTS shifts_by_line ON shifts (line, state)",

R"sql(CREATE TABLE IF NOT EXISTS destructions (
  id {serial},
  state {key} NOT NULL,
  reason {text} NOT NULL,
  proposed_by {key} NOT NULL,
  proposed_at BIGINT NOT NULL,
  confirmed_by {key} NOT NULL,
  confirmed_at BIGINT NOT NULL
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS destruction_serials (
  destruction_id BIGINT NOT NULL,
  serial {key} NOT NULL,
  PRIMARY KEY (destruction_id, serial),
  FOREIGN KEY (destruction_id) REFERENCES destructions (id),
  FOREIGN KEY (serial) REFERENCES blank_serials (serial)
){table})sql",
"CREATE INDEX IF NOT EXISTS destruction_serials_by_serial ON destruction_serials (serial)",

R"sql(CREATE TABLE IF NOT EXISTS blank_flags (
  id {serial},
  at BIGINT NOT NULL,
  serial {key} NOT NULL,
  line {key} NOT NULL,
  kind {key} NOT NULL,
  device_id {key} NOT NULL,
  detail {text} NOT NULL
){table})sql",
"CREATE INDEX IF NOT EXISTS blank_flags_by_at ON blank_flags (at)",
  }};
}

}  // namespace cardline
