#pragma once
// Device time for availability and utilisation. The line controller (which sees every device
// state change: heartbeats, job start/finish, faults, disconnects) calls recordDeviceTime once
// per closed interval — when a device leaves a state, for the time it spent in it — inside any
// transaction of its own (e.g. the group-committed batch). The interval is split at UTC hour
// boundaries and each piece is added, rounded to whole seconds, to the DeviceTimeHour rollup of
// its hour. Intervals of one device must not overlap (the controller reports each span once).
//
// Definitions used by the reports (figures.h):
//   scheduled time = busy + idle + fault (offline time is not scheduled)
//   availability   = (busy + idle) / scheduled
//   utilisation    = busy / scheduled

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/rollups.h"
#include "mes/core/store.h"

namespace cardline {

// Adds the time from `from` to `to` that `device` (of `station`) spent in `state`.
// kInvalidArgument if to < from or the device id is empty; store errors as returned.
// An empty interval (from == to) writes nothing.
Status recordDeviceTime(StoreTransaction& tx, const std::string& device, StationType station,
                        DeviceState state, Timestamp from, Timestamp to);

// Collects device time spans of any length (busy spans of a fast line last milliseconds) and
// hands out whole seconds per hour, keeping the sub-second remainder of each (hour, device,
// state) for the next call, so that many short spans add up instead of each rounding to zero.
// Not thread-safe; the caller serialises.
class DeviceTimeAccumulator {
 public:
  // Adds the time from `from` to `to` (ignored when to <= from), split at UTC hour boundaries.
  void add(const std::string& device, StationType station, DeviceState state, Timestamp from,
           Timestamp to);
  // The whole seconds collected so far, per hour, device and state (rows with 0 seconds left
  // out); they are removed from the accumulator, the sub-second remainders stay.
  std::vector<DeviceTimeHour> takeWholeSeconds();

 private:
  struct Key {
    std::int64_t hour;
    std::string device;
    StationType station;
    DeviceState state;
    bool operator<(const Key& o) const {
      return std::tie(hour, device, station, state) <
             std::tie(o.hour, o.device, o.station, o.state);
    }
  };
  std::map<Key, std::int64_t> micros_;
};

// Adds each row to the device time rollup. Store errors as returned.
Status addDeviceHours(StoreTransaction& tx, const std::vector<DeviceTimeHour>& rows);

}  // namespace cardline
