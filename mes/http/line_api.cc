#include "mes/http/line_api.h"

#include <sstream>

#include "mes/base/date.h"
#include "mes/security/audit_chain.h"

namespace cardline {
namespace {

constexpr StationType kStations[] = {StationType::kPrint, StationType::kEncode,
                                     StationType::kQa, StationType::kDispatch};

void appendCounters(std::ostringstream& out, const Device& device,
                    const DeviceCounters& c) {
  out << "{\"jobs_done\":" << device.jobs_done << ",\"jobs_failed\":" << device.jobs_failed
      << ",\"jobs_sent\":" << c.jobs_sent << ",\"results\":" << c.results
      << ",\"duplicate_results\":" << c.duplicate_results
      << ",\"messages_in\":" << c.messages_in << ",\"messages_out\":" << c.messages_out
      << ",\"send_blocked\":" << c.send_blocked << ",\"send_unreachable\":" << c.send_unreachable
      << ",\"sessions\":" << c.sessions << ",\"protocol_errors\":" << c.protocol_errors << "}";
}

HttpResponse queues(Store& store) {
  std::ostringstream out;
  Status counted = store.read([&](StoreTransaction& tx) {
    out.str("");
    out << "{\"queues\":[";
    bool first = true;
    for (StationType station : kStations) {
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t ready, tx.jobs().count(station, JobState::kReady));
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t leased,
                                tx.jobs().count(station, JobState::kLeased));
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t done, tx.jobs().count(station, JobState::kDone));
      out << (first ? "" : ",") << "{\"station\":" << jsonQuote(name(station))
          << ",\"ready\":" << ready << ",\"leased\":" << leased << ",\"done\":" << done << "}";
      first = false;
    }
    out << "]}";
    return Status::ok();
  });
  if (!counted.isOk()) return HttpResponse::fromStatus(counted);
  return HttpResponse::json(200, out.str());
}

}  // namespace

std::string devicesJson(const std::vector<DeviceInfo>& devices, const LinkCounters& link) {
  std::ostringstream out;
  out << "{\"devices\":[";
  bool first = true;
  for (const DeviceInfo& info : devices) {
    const Device& d = info.device;
    out << (first ? "" : ",") << "{\"id\":" << jsonQuote(d.id)
        << ",\"station\":" << jsonQuote(name(d.station))
        << ",\"state\":" << jsonQuote(name(d.state));
    out << ",\"current_job\":";
    if (info.jobs.empty()) {
      out << "null";
    } else {
      out << info.jobs.front();
    }
    out << ",\"jobs\":[";
    for (std::size_t i = 0; i < info.jobs.size(); ++i) out << (i ? "," : "") << info.jobs[i];
    out << "],\"capacity\":" << info.capacity << ",\"session\":" << jsonQuote(info.session)
        << ",\"fault\":" << jsonQuote(info.fault) << ",\"node_id\":" << jsonQuote(d.node_id)
        << ",\"last_heartbeat\":" << jsonQuote(formatIsoTimestamp(d.last_heartbeat))
        << ",\"counters\":";
    appendCounters(out, d, info.counters);
    out << "}";
    first = false;
  }
  out << "],\"link\":{\"refused_peers\":" << link.refused_peers
      << ",\"bad_messages\":" << link.bad_messages << ",\"send_blocked\":" << link.send_blocked
      << ",\"send_unreachable\":" << link.send_unreachable
      << ",\"unsent_jobs_released\":" << link.unsent_jobs_released << "}}";
  return out.str();
}

Status registerLineRoutes(Router& router, const DeviceLink& link, Store& store) {
  const DeviceLink* link_ptr = &link;
  CARDLINE_RETURN_IF_ERROR(router.add(RouteSpec{
      HttpMethod::kGet, "/api/v1/devices", Effect::kReadOnly, Guard::kSession,
      Action::kViewQueue, [link_ptr](const HttpRequest&, const Caller&) {
        return HttpResponse::json(200, devicesJson(link_ptr->devices(), link_ptr->counters()));
      }}));
  Store* store_ptr = &store;
  return router.add(RouteSpec{HttpMethod::kGet, "/api/v1/queues", Effect::kReadOnly,
                              Guard::kSession, Action::kViewQueue,
                              [store_ptr](const HttpRequest&, const Caller&) {
                                return queues(*store_ptr);
                              }});
}

}  // namespace cardline
