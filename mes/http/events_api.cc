#include "mes/http/events_api.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <thread>
#include <utility>

#include "mes/base/date.h"
#include "mes/core/rollups.h"
#include "mes/security/audit_chain.h"

namespace cardline {
namespace {

constexpr StationType kStations[] = {StationType::kPrint, StationType::kEncode, StationType::kQa,
                                     StationType::kDispatch};

// A non-negative decimal number, or -1 when `text` is empty or not one.
std::int64_t parseSeq(const std::string& text) {
  if (text.empty() || text.size() > 18) return -1;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string deviceJson(const Device& d, bool live) {
  std::ostringstream out;
  out << "{\"id\":" << jsonQuote(d.id) << ",\"station\":" << jsonQuote(name(d.station))
      << ",\"state\":" << jsonQuote(name(d.state))
      << ",\"current_job\":" << jsonQuote(d.current_job) << ",\"last_heartbeat\":"
      << (d.last_heartbeat.micros == 0 ? std::string("null")
                                       : jsonQuote(formatIsoTimestamp(d.last_heartbeat)))
      << ",\"jobs_done\":" << d.jobs_done << ",\"jobs_failed\":" << d.jobs_failed
      << ",\"source\":" << (live ? "\"live\"" : "\"store\"") << "}";
  return out.str();
}

}  // namespace

Result<std::int64_t> newestEventSeq(StoreTransaction& tx) {
  // after(x) is empty exactly when x >= newest. Find a bound with nothing after it by
  // doubling, then the smallest such bound by bisection.
  std::int64_t high = 1;
  while (true) {
    CARDLINE_ASSIGN_OR_RETURN(std::vector<Event> after, tx.events().after(high, 1));
    if (after.empty()) break;
    high = std::max(high * 2, after.front().seq);
  }
  std::int64_t low = 0;
  while (low < high) {
    const std::int64_t mid = low + (high - low) / 2;
    CARDLINE_ASSIGN_OR_RETURN(std::vector<Event> next, tx.events().after(mid, 1));
    if (next.empty()) {
      high = mid;
    } else {
      low = std::max(mid + 1, next.front().seq);
    }
  }
  return high;
}

Result<LineSnapshot> readLineSnapshot(Store& store, const Clock& clock,
                                      const LiveDeviceSource& live) {
  LineSnapshot snapshot;
  snapshot.at = clock.now();
  CARDLINE_RETURN_IF_ERROR(store.read([&](StoreTransaction& tx) {
    snapshot.queues.clear();
    for (StationType station : kStations) {
      QueueDepth depth;
      depth.station = station;
      CARDLINE_ASSIGN_OR_RETURN(depth.ready, tx.jobs().count(station, JobState::kReady));
      CARDLINE_ASSIGN_OR_RETURN(depth.leased, tx.jobs().count(station, JobState::kLeased));
      CARDLINE_ASSIGN_OR_RETURN(depth.done, tx.jobs().count(station, JobState::kDone));
      Result<std::int64_t> held = tx.jobs().countReadyHeld(station);
      if (held.isOk()) {
        depth.held = *held;
      } else if (held.status().code() != ErrorCode::kFailedPrecondition) {
        return held.status();
      }
      snapshot.queues.push_back(depth);
    }
    const std::int64_t hour = snapshot.at.micros / 1000000 / 3600 * 3600;
    CARDLINE_ASSIGN_OR_RETURN(auto hours, tx.rollups().stationHourTotals(hour - 3600, hour + 3600));
    for (const StationHour& row : hours) {
      for (QueueDepth& depth : snapshot.queues) {
        if (depth.station != row.station) continue;
        (row.hour >= hour ? depth.this_hour : depth.last_hour) += row.jobs;
      }
    }
    CARDLINE_ASSIGN_OR_RETURN(snapshot.devices, tx.devices().list());
    CARDLINE_ASSIGN_OR_RETURN(snapshot.head_seq, newestEventSeq(tx));
    return Status::ok();
  }));
  snapshot.live.assign(snapshot.devices.size(), false);
  if (live) {
    for (const Device& device : live()) {
      auto it = std::find_if(snapshot.devices.begin(), snapshot.devices.end(),
                             [&](const Device& d) { return d.id == device.id; });
      if (it == snapshot.devices.end()) {
        snapshot.devices.push_back(device);
        snapshot.live.push_back(true);
        continue;
      }
      // The link knows the live state; the store keeps the enrolment (key is not sent).
      const std::size_t index = static_cast<std::size_t>(it - snapshot.devices.begin());
      const std::string key = it->public_key;
      *it = device;
      it->public_key = key;
      snapshot.live[index] = true;
    }
  }
  return snapshot;
}

std::string lineSnapshotJson(const LineSnapshot& snapshot) {
  std::ostringstream out;
  out << "{\"at\":" << jsonQuote(formatIsoTimestamp(snapshot.at))
      << ",\"head_seq\":" << snapshot.head_seq << ",\"queues\":[";
  for (std::size_t i = 0; i < snapshot.queues.size(); ++i) {
    const QueueDepth& q = snapshot.queues[i];
    out << (i ? "," : "") << "{\"station\":" << jsonQuote(name(q.station))
        << ",\"ready\":" << q.ready << ",\"leased\":" << q.leased << ",\"done\":" << q.done << ",\"held\":" << q.held
        << ",\"this_hour\":" << q.this_hour << ",\"last_hour\":" << q.last_hour << "}";
  }
  out << "],\"devices\":[";
  for (std::size_t i = 0; i < snapshot.devices.size(); ++i) {
    const bool live = i < snapshot.live.size() && snapshot.live[i];
    out << (i ? "," : "") << deviceJson(snapshot.devices[i], live);
  }
  out << "]}";
  return out.str();
}

std::string maskedEventJson(const Event& event) {
  std::ostringstream out;
  out << "{\"seq\":" << event.seq << ",\"at\":" << jsonQuote(formatIsoTimestamp(event.at))
      << ",\"subject_type\":" << jsonQuote(event.subject_type)
      << ",\"subject_id\":" << jsonQuote(event.subject_id) << ",\"kind\":" << jsonQuote(event.kind)
      << ",\"actor\":" << jsonQuote(event.actor) << "}";
  return out.str();
}

EventsApi::EventsApi(Store& store, const Clock& clock, LiveDeviceSource live,
                     EventsApiOptions options, PollWaiter waiter)
    : store_(store),
      clock_(clock),
      live_(std::move(live)),
      options_(options),
      waiter_(std::move(waiter)) {
  if (!waiter_) {
    waiter_ = [](std::chrono::milliseconds interval) { std::this_thread::sleep_for(interval); };
  }
}

Status EventsApi::registerRoutes(Router& router) { return registerWith(router, nullptr); }

Status EventsApi::registerWith(Router& router, std::shared_ptr<const EventsApi> keep) {
  CARDLINE_RETURN_IF_ERROR(
      router.add({HttpMethod::kGet, "/api/v1/events/stream", Effect::kReadOnly, Guard::kSession,
                  Action::kViewQueue,
                  [this, keep](const HttpRequest& request, const Caller& caller) {
                    return streamResponse(request, caller);
                  }}));
  return router.add({HttpMethod::kGet, "/api/v1/line/snapshot", Effect::kReadOnly, Guard::kSession,
                     Action::kViewQueue, [this, keep](const HttpRequest&, const Caller&) {
                       return snapshotResponse();
                     }});
}

int EventsApi::openStreams() const {
  std::lock_guard<std::mutex> lock(open_streams_->mu);
  return open_streams_->total;
}

HttpResponse EventsApi::snapshotResponse() const {
  Result<LineSnapshot> snapshot = readLineSnapshot(store_, clock_, live_);
  if (!snapshot.isOk()) return HttpResponse::fromStatus(snapshot.status());
  return HttpResponse::json(200, lineSnapshotJson(*snapshot));
}

HttpResponse EventsApi::streamResponse(const HttpRequest& request, const Caller& caller) const {
  std::int64_t after = -1;
  auto it = request.query.find("after");
  if (it != request.query.end()) {
    after = parseSeq(it->second);
    if (after < 0) return HttpResponse::error(400, "invalid_argument", "after must be a seq");
  }
  const std::int64_t resume = parseSeq(request.header("last-event-id"));
  if (resume >= 0) after = resume;
  // Counts this stream while its response (and so the callback) exists.
  std::shared_ptr<OpenStreams> open = open_streams_;
  const std::string session = caller.session_id;
  {
    std::lock_guard<std::mutex> lock(open->mu);
    const char* refusal = nullptr;
    if (open->total >= options_.max_streams) refusal = "too many open event streams";
    if (open->per_session[session] >= options_.max_streams_per_session) {
      refusal = "this session has too many open event streams";
    }
    if (refusal != nullptr) {
      if (open->per_session[session] == 0) open->per_session.erase(session);
      HttpResponse busy = HttpResponse::error(503, "unavailable", refusal);
      busy.headers.push_back({"Retry-After", "10"});
      return busy;
    }
    ++open->total;
    ++open->per_session[session];
  }
  std::shared_ptr<void> slot(nullptr, [open, session](void*) {
    std::lock_guard<std::mutex> lock(open->mu);
    --open->total;
    if (--open->per_session[session] <= 0) open->per_session.erase(session);
  });
  HttpResponse response;
  response.status = 200;
  response.content_type = "text/event-stream; charset=utf-8";
  response.headers.push_back({"X-Accel-Buffering", "no"});
  response.stream = [this, after, slot](const std::function<bool(const std::string&)>& write) {
    stream(after, write);
  };
  return response;
}

void EventsApi::stream(std::int64_t after_seq,
                       const std::function<bool(const std::string&)>& write) const {
  const Timestamp started = clock_.now();
  const std::int64_t max_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.max_connection).count();
  const std::int64_t snapshot_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.snapshot_interval).count();
  auto fail = [&](const Status& status) {
    write("event: error\ndata: {\"message\":" + jsonQuote(status.message()) + "}\n\n");
  };

  if (!write("retry: 3000\n\n")) return;
  Result<LineSnapshot> first = readLineSnapshot(store_, clock_, live_);
  if (!first.isOk()) return fail(first.status());
  if (!write("event: snapshot\ndata: " + lineSnapshotJson(*first) + "\n\n")) return;
  Timestamp last_snapshot = first->at;
  std::int64_t cursor = after_seq;
  if (cursor < 0) cursor = std::max<std::int64_t>(0, first->head_seq - options_.initial_tail);

  while (true) {
    std::vector<Event> events;
    Status read = store_.read([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(events, tx.events().after(cursor, options_.batch_limit));
      return Status::ok();
    });
    if (!read.isOk()) return fail(read);
    for (const Event& event : events) {
      if (!write("event: line\nid: " + std::to_string(event.seq) +
                 "\ndata: " + maskedEventJson(event) + "\n\n")) {
        return;
      }
      cursor = event.seq;
    }
    const Timestamp now = clock_.now();
    if (now.micros - started.micros >= max_micros) return;
    if (now.micros - last_snapshot.micros >= snapshot_micros) {
      Result<LineSnapshot> snapshot = readLineSnapshot(store_, clock_, live_);
      if (!snapshot.isOk()) return fail(snapshot.status());
      if (!write("event: snapshot\ndata: " + lineSnapshotJson(*snapshot) + "\n\n")) return;
      last_snapshot = now;
    }
    if (static_cast<int>(events.size()) < options_.batch_limit) waiter_(options_.poll_interval);
  }
}

Status registerEventsRoutes(Router& router, Store& store, const Clock& clock, LiveDeviceSource live,
                            EventsApiOptions options) {
  auto api = std::make_shared<EventsApi>(store, clock, std::move(live), options);
  EventsApi* raw = api.get();
  return raw->registerWith(router, std::move(api));
}

}  // namespace cardline
