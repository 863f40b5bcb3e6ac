#include "mes/reports/aggregate/device_time.h"

#include <algorithm>

#include "mes/core/rollups.h"
#include "mes/reports/aggregate/rollup_observer.h"

namespace cardline {

Status recordDeviceTime(StoreTransaction& tx, const std::string& device, StationType station,
                        DeviceState state, Timestamp from, Timestamp to) {
  if (device.empty()) return invalidArgument("device time needs a device id");
  if (to < from) return invalidArgument("device time interval ends before it starts");
  std::int64_t at = from.micros;
  while (at < to.micros) {
    const std::int64_t hour = hourStart(Timestamp{at});
    const std::int64_t hour_end = (hour + 3600) * 1000000;
    const std::int64_t piece_end = std::min(hour_end, to.micros);
    const std::int64_t seconds = (piece_end - at + 500000) / 1000000;
    if (seconds > 0) {
      CARDLINE_RETURN_IF_ERROR(
          tx.rollups().addDeviceTime(DeviceTimeHour{hour, device, station, state, seconds}));
    }
    at = piece_end;
  }
  return Status::ok();
}

}  // namespace cardline
