#pragma once
// Live updates of the line for the web pages, as server-sent events (text/event-stream):
//
//   GET /api/v1/events/stream[?after=SEQ]      (queue.view: operator, supervisor, logistics,
//                                               manager)
//
// The stream starts with "retry: 3000" and a snapshot, then, every poll interval, sends the
// events appended to the store's EventLog since the last one it sent and, every snapshot
// interval, a new snapshot:
//
//   event: line            id: SEQ
//   data: {"seq":..,"at":"ISO","subject_type":..,"subject_id":..,"kind":..,"actor":..}
//
//   event: snapshot
//   data: {"at":"ISO","head_seq":..,"queues":[{"station":"print","ready":N,"leased":N,"done":N}],
//          "devices":[{"id":..,"station":..,"state":..,"current_job":..,"last_heartbeat":..,
//                      "jobs_done":N,"jobs_failed":N,"source":"live"|"store"}]}
//
// Events carry no personal data: the detail JSON (which may hold names or reasons) is never
// sent, only who/what/when. Without `after` (and without a Last-Event-ID header, which a
// reconnecting EventSource sends) the stream begins with the newest `initial_tail` events.
// A connection lasts at most max_connection; the browser's EventSource reconnects by itself
// and resumes after the last id it saw. The handler thread polls (the store has no change
// notification); each open stream holds one of the HTTP server's worker threads.
//
// Devices: the enrolled devices of the store, overlaid with the live states of the device link
// when a live source is given (a device the link knows but the store does not is listed too).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"
#include "mes/http/router.h"

namespace cardline {

// The device states the device link knows now (connected devices). May be empty.
using LiveDeviceSource = std::function<std::vector<Device>()>;
// Waits `interval` between polls. The default sleeps the handler thread; tests pass one that
// advances a FakeClock instead.
using PollWaiter = std::function<void(std::chrono::milliseconds interval)>;

struct EventsApiOptions {
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds snapshot_interval{2000};
  std::chrono::milliseconds max_connection{std::chrono::minutes(5)};
  // Streams open at once on the whole server. Each holds an HTTP worker thread
  // (HttpServerOptions::max_threads, 160), so keep this below that; more answer 503 and the
  // page retries later. Room for a factory floor of station screens.
  int max_streams = 128;
  // Streams one session may hold (a screen needs one; a few tabs more), so one client cannot
  // take every stream.
  int max_streams_per_session = 4;
  int initial_tail = 20;  // events sent first to a new (not resuming) connection
  int batch_limit = 500;  // events read per poll
};

// One snapshot of the line (also GET /api/v1/line/snapshot, the same JSON without the stream).
struct QueueDepth {
  StationType station = StationType::kPrint;
  std::int64_t ready = 0;
  std::int64_t leased = 0;
  std::int64_t done = 0;  // finished jobs ever
  // Of the ready jobs, those whose application is held (not waiting work); -1 when the store
  // cannot count them.
  std::int64_t held = -1;
  // Results accepted in the current clock hour (since HH:00) and in the whole previous hour,
  // from the station-hour rollups (mes/core/rollups.h): throughput over real clock hours.
  std::int64_t this_hour = 0;
  std::int64_t last_hour = 0;
};
struct LineSnapshot {
  Timestamp at;
  std::int64_t head_seq = 0;  // newest event seq (0 when the log is empty)
  std::vector<QueueDepth> queues;
  std::vector<Device> devices;
  std::vector<bool> live;  // per device: state from the device link (true) or the store
};

// The newest seq of the event log (0 when empty), found with O(log n) EventLog::after calls.
// Store errors pass through.
Result<std::int64_t> newestEventSeq(StoreTransaction& tx);

// Reads the queues and devices (one read transaction) and overlays `live` when set.
// Store errors pass through.
Result<LineSnapshot> readLineSnapshot(Store& store, const Clock& clock,
                                      const LiveDeviceSource& live);

// JSON of a snapshot and of one event (without its detail), as sent on the stream.
std::string lineSnapshotJson(const LineSnapshot& snapshot);
std::string maskedEventJson(const Event& event);

class EventsApi {
 public:
  // `store` and `clock` must outlive the router the routes are registered with. `live` may be
  // empty (store states only); `waiter` may be empty (sleeps).
  EventsApi(Store& store, const Clock& clock, LiveDeviceSource live, EventsApiOptions options = {},
            PollWaiter waiter = {});

  // Registers GET /api/v1/events/stream and GET /api/v1/line/snapshot (queue.view); the stream
  // answers 503 (Retry-After) while max_streams streams are open, or the caller's session holds
  // max_streams_per_session. The
  // handlers keep a pointer to this object: it must outlive the router. Fails like
  // Router::add.
  Status registerRoutes(Router& router);

  // Writes the stream for a client that has seen events up to `after_seq` (negative: a new
  // client, start with the tail) until `write` returns false or max_connection has passed on
  // the clock. A store failure is sent as an "event: error" and ends the stream.
  void stream(std::int64_t after_seq, const std::function<bool(const std::string&)>& write) const;

  // Streams open now (their responses still exist). Thread-safe.
  int openStreams() const;

 private:
  friend Status registerEventsRoutes(Router& router, Store& store, const Clock& clock,
                                     LiveDeviceSource live, EventsApiOptions options);
  // Registers the routes; the handlers hold `keep` (may be null) so it lives as long as they.
  Status registerWith(Router& router, std::shared_ptr<const EventsApi> keep);
  HttpResponse streamResponse(const HttpRequest& request, const Caller& caller) const;
  HttpResponse snapshotResponse() const;

  Store& store_;
  const Clock& clock_;
  LiveDeviceSource live_;
  EventsApiOptions options_;
  PollWaiter waiter_;
  // Open streams, in all and per session; shared with the responses that hold a slot.
  struct OpenStreams {
    std::mutex mu;
    int total = 0;
    std::map<std::string, int> per_session;
  };
  std::shared_ptr<OpenStreams> open_streams_ = std::make_shared<OpenStreams>();
};

// Registers the routes of an EventsApi that the router's handlers own (shared), so the
// composition root needs no member for it. Fails like Router::add.
Status registerEventsRoutes(Router& router, Store& store, const Clock& clock, LiveDeviceSource live,
                            EventsApiOptions options = {});

}  // namespace cardline
