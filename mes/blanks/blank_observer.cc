#include "mes/blanks/blank_observer.h"

#include "mes/base/json_text.h"
#include "mes/blanks/json_text.h"

namespace cardline {

Status BlankObserver::onStationResult(StoreTransaction& tx, const StationJob& job,
                                      const StationResult& result) {
  if (job.station != StationType::kPrint || result.blank_serial.empty()) return Status::ok();
  return stock_.consumeAtPrint(tx, result.blank_serial, result.device_id, job.application_id);
}

Status BlankObserver::onEvent(StoreTransaction& tx, const Event& event) {
  if (event.subject_type != "card") return Status::ok();
  if (event.kind != "spoiled" && event.kind != "passed_qa") return Status::ok();
  Result<BlankSerial> found = tx.blanks().findSerial(event.subject_id);
  if (!found.isOk() && found.status().code() == ErrorCode::kNotFound) {
    BlankFlag f;
    f.serial = event.subject_id;
    f.kind = BlankFlagKind::kUntrackedCard;
    f.detail = "card event " + event.kind + " for a serial the blank stock does not know";
    return stock_.flag(tx, f);
  }
  CARDLINE_RETURN_IF_ERROR(found.status());
  if (event.kind == "passed_qa") return stock_.markGood(tx, event.subject_id, event.actor);
  std::string reason = jsonStringField(event.detail, "reason");
  std::string station = jsonStringField(event.detail, "station");
  return stock_.spoil(tx, event.subject_id, reason.empty() ? "unspecified" : reason,
                      station.empty() ? "unknown" : station, event.actor);
}

}  // namespace cardline
