// 0004: dispatch and logistics. Extends the boxes, box_cards and shipments tables of 0001 and
// adds the discrepancies reported by receiving units.
//
// SQLite adds one column per ALTER TABLE and needs a default for NOT NULL columns; MySQL
// cannot default TEXT columns, so the new columns are {key} (VARCHAR) or BIGINT.

#include "mes/storage/migrations.h"

namespace cardline {

Migration logisticsMigration() {
  return Migration{4, "logistics", {
"ALTER TABLE boxes ADD COLUMN receiving_unit_name {key} NOT NULL DEFAULT ''",
"ALTER TABLE boxes ADD COLUMN capacity BIGINT NOT NULL DEFAULT 0",
"ALTER TABLE boxes ADD COLUMN seal_number {key} NOT NULL DEFAULT ''",
"ALTER TABLE boxes ADD COLUMN delivered_at BIGINT NOT NULL DEFAULT 0",
"ALTER TABLE boxes ADD COLUMN delivered_by {key} NOT NULL DEFAULT ''",
"ALTER TABLE boxes ADD COLUMN purged_at BIGINT NOT NULL DEFAULT 0",
"CREATE INDEX IF NOT EXISTS boxes_by_state ON boxes (state, created_at)",
"CREATE INDEX IF NOT EXISTS boxes_by_shipment ON boxes (shipment_id)",

"ALTER TABLE box_cards ADD COLUMN application_id {key} NOT NULL DEFAULT ''",
"CREATE INDEX IF NOT EXISTS box_cards_by_application ON box_cards (application_id)",

"ALTER TABLE shipments ADD COLUMN tracking_number {key} NULL",
"ALTER TABLE shipments ADD COLUMN handed_over_by {key} NOT NULL DEFAULT ''",
"ALTER TABLE shipments ADD COLUMN due_at BIGINT NOT NULL DEFAULT 0",
"CREATE UNIQUE INDEX IF NOT EXISTS shipments_by_tracking ON shipments (tracking_number)",
"CREATE INDEX IF NOT EXISTS shipments_by_state ON shipments (state, created_at)",

// missing_serials: the serials separated by single spaces.
R"sql(CREATE TABLE IF NOT EXISTS discrepancies (
  id {serial},
  box_id {key} NOT NULL,
  missing_serials {text} NOT NULL,
  note {text} NOT NULL,
  state {key} NOT NULL,
  reported_by {key} NOT NULL,
  reported_at BIGINT NOT NULL,
  resolution {key} NOT NULL,
  resolution_note {text} NOT NULL,
  resolved_by {key} NOT NULL,
  resolved_at BIGINT NOT NULL,
  FOREIGN KEY (box_id) REFERENCES boxes (id)
){table})sql",
"CREATE INDEX IF NOT EXISTS discrepancies_by_state ON discrepancies (state, box_id)",
  }};
}

}  // namespace cardline
