#pragma once
// The REST endpoints that show the line at work (both read-only, role action queue.view):
//
//   GET /api/v1/devices   the device registry of the device link: every device seen since the
//                         node started, ordered by id —
//                         {"devices":[{"id","station","state","current_job","jobs":[...],
//                           "capacity","session","fault","last_heartbeat","node_id",
//                           "counters":{"jobs_done","jobs_failed","messages_in",...}}],
//                          "link":{"refused_peers","bad_messages",...}}
//   GET /api/v1/queues    per station type the station jobs ready, leased and done, counted
//                         through the Store (JobRepository::count) in one transaction —
//                         {"queues":[{"station":"print","ready":N,"leased":N,"done":N},...]}
//
// Thread-safe: no mutable state; DeviceLink and Store are thread-safe.

#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/store.h"
#include "mes/devlink/device_link.h"
#include "mes/http/router.h"

namespace cardline {

// The JSON of GET /api/v1/devices for these devices and link counters (exposed for tests).
std::string devicesJson(const std::vector<DeviceInfo>& devices, const LinkCounters& link);

// Registers GET /api/v1/devices and GET /api/v1/queues (session routes, Action::kViewQueue).
// `link` and `store` must outlive the router. Fails like Router::add (kAlreadyExists when
// registered twice).
Status registerLineRoutes(Router& router, const DeviceLink& link, Store& store);

}  // namespace cardline
