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

void DeviceTimeAccumulator::add(const std::string& device, StationType station,
                                DeviceState state, Timestamp from, Timestamp to) {
  std::int64_t at = from.micros;
  while (at < to.micros) {
    const std::int64_t hour = hourStart(Timestamp{at});
    const std::int64_t piece_end = std::min((hour + 3600) * 1000000, to.micros);
    micros_[Key{hour, device, station, state}] += piece_end - at;
    at = piece_end;
  }
}

std::vector<DeviceTimeHour> DeviceTimeAccumulator::takeWholeSeconds() {
  std::vector<DeviceTimeHour> rows;
  for (auto it = micros_.begin(); it != micros_.end();) {
    const std::int64_t seconds = it->second / 1000000;
    if (seconds > 0) {
      rows.push_back(DeviceTimeHour{it->first.hour, it->first.device, it->first.station,
                                    it->first.state, seconds});
      it->second -= seconds * 1000000;
    }
    // A finished hour's remainder (< 1 s) would never grow: drop it with its entry once it
    // is zero; keep any remainder of the current hour.
    if (it->second == 0) {
      it = micros_.erase(it);
    } else {
      ++it;
    }
  }
  return rows;
}

Status addDeviceHours(StoreTransaction& tx, const std::vector<DeviceTimeHour>& rows) {
  for (const DeviceTimeHour& row : rows) {
    CARDLINE_RETURN_IF_ERROR(tx.rollups().addDeviceTime(row));
  }
  return Status::ok();
}

}  // namespace cardline
