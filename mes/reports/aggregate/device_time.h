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

#include <string>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"

namespace cardline {

// Adds the time from `from` to `to` that `device` (of `station`) spent in `state`.
// kInvalidArgument if to < from or the device id is empty; store errors as returned.
// An empty interval (from == to) writes nothing.
Status recordDeviceTime(StoreTransaction& tx, const std::string& device, StationType station,
                        DeviceState state, Timestamp from, Timestamp to);

}  // namespace cardline
