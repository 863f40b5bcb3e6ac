// 0003: report rollups, maintained by the rollup observer as transitions happen
// (mes/reports/aggregate). Hours are epoch seconds of the UTC hour start; days are days since
// 1970-01-01 of the factory-local calendar.

#include "mes/storage/schema/0003_report_rollups.h"

namespace cardline {

Migration reportRollupsMigration() {
  return Migration{3, "report_rollups", {
R"sql(CREATE TABLE IF NOT EXISTS rollup_station_hours (
  hour BIGINT NOT NULL,
  station {key} NOT NULL,
  device_id {key} NOT NULL,
  jobs BIGINT NOT NULL,
  ok BIGINT NOT NULL,
  first_pass_jobs BIGINT NOT NULL,
  first_pass_ok BIGINT NOT NULL,
  PRIMARY KEY (hour, station, device_id)
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS rollup_defect_hours (
  hour BIGINT NOT NULL,
  station {key} NOT NULL,
  device_id {key} NOT NULL,
  code {key} NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (hour, station, device_id, code)
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS rollup_cycle_buckets (
  day BIGINT NOT NULL,
  segment {key} NOT NULL,
  bucket BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (day, segment, bucket)
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS rollup_device_time (
  hour BIGINT NOT NULL,
  device_id {key} NOT NULL,
  station {key} NOT NULL,
  state {key} NOT NULL,
  seconds BIGINT NOT NULL,
  PRIMARY KEY (hour, device_id, station, state)
){table})sql",

R"sql(CREATE TABLE IF NOT EXISTS rollup_milestones (
  application_id {key} NOT NULL PRIMARY KEY,
  approved_at BIGINT NOT NULL,
  printed_at BIGINT NOT NULL,
  dispatched_at BIGINT NOT NULL,
  delivered_at BIGINT NOT NULL,
  stations_seen BIGINT NOT NULL
){table})sql",
  }};
}

}  // namespace cardline
