#include "mes/jobflow/station_job_flow.h"

#include <chrono>
#include <future>
#include <optional>
#include <sstream>

#include "mes/base/json_text.h"
#include "mes/base/log.h"

namespace cardline {
namespace {

constexpr char kComponent[] = "jobs";
// How long a station's jobs wait when their payload cannot be made for a passing reason.
constexpr std::chrono::milliseconds kPayloadPause{2000};

protocol::Station toProtocolStation(StationType s) {
  switch (s) {
    case StationType::kPrint: return protocol::Station::kPrint;
    case StationType::kEncode: return protocol::Station::kEncode;
    case StationType::kQa: return protocol::Station::kQa;
    case StationType::kDispatch: return protocol::Station::kDispatch;
  }
  return protocol::Station::kPrint;
}

}  // namespace

StationResult toStationResult(const std::string& device_id, const protocol::JobResult& r) {
  StationResult out;
  out.job_id = r.job;
  out.attempt = r.attempt;
  out.device_id = device_id;
  switch (r.outcome) {
    case protocol::Outcome::kOk: out.outcome = "ok"; break;
    case protocol::Outcome::kDefect: out.outcome = r.defect.empty() ? "defect" : r.defect; break;
    case protocol::Outcome::kAborted: out.outcome = "aborted"; break;
  }
  out.blank_serial = r.blank;
  if (!r.measurements.empty()) {
    std::ostringstream json;
    json << "{";
    bool first = true;
    for (const auto& [key, value] : r.measurements) {
      json << (first ? "" : ",") << jsonQuote(key) << ":" << value;
      first = false;
    }
    json << "}";
    out.measurements = json.str();
  }
  return out;
}

StationJobFlow::StationJobFlow(Store& store, const Clock& clock, StationJobFlowOptions options,
                               PayloadMaterials materials, RefusedPeerSink on_refused)
    : store_(store),
      clock_(clock),
      options_(options),
      materials_(std::move(materials)),
      on_refused_(std::move(on_refused)) {}

StationJobFlow::~StationJobFlow() { stop(); }

void StationJobFlow::attach(LineController& controller, DeviceLink& link) {
  controller_ = &controller;
  link_ = &link;
}

void StationJobFlow::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!workers_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < options_.payload_workers; ++i) {
    workers_.emplace_back([this] { payloadLoop(); });
  }
}

void StationJobFlow::stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    workers.swap(workers_);
  }
  wake_.notify_all();
  for (auto& t : workers) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  queue_.clear();
}

void StationJobFlow::onReady(const DeviceInfo& device, bool new_session) {
  controller_->deviceReady({device.device.id, device.device.station, device.capacity});
  logInfo(kComponent, "device " + device.device.id + " (" + name(device.device.station) +
                          ") ready" + (new_session ? "" : " again after a reconnect"));
}

void StationJobFlow::onResult(const std::string& device_id, const protocol::JobResult& result,
                              bool /*held*/) {
  controller_->stationResult(toStationResult(device_id, result));
}

void StationJobFlow::onStatus(const std::string& device_id,
                              const protocol::StatusReport& status) {
  controller_->deviceCondition(device_id, status.state == protocol::DeviceStatus::kFault
                                              ? DeviceCondition::kFault
                                              : DeviceCondition::kWorking);
}

void StationJobFlow::onDeviceLost(const LostDevice& lost) {
  logWarning(kComponent, "device " + lost.device_id + " lost (" + name(lost.reason) + "), " +
                             std::to_string(lost.jobs.size()) + " job(s) re-queued");
  controller_->deviceGone(lost.device_id, lost.jobs);
}

void StationJobFlow::onRefused(const RefusedPeer& peer) {
  logWarning(kComponent, "refused device connection from " + peer.address + ": " + peer.reason);
  if (on_refused_) on_refused_(peer);
}

Status StationJobFlow::send(const std::string& device_id, const StationJob& job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || workers_.empty()) return unavailable("the job flow is not running");
    queue_.emplace_back(device_id, job);
  }
  wake_.notify_one();
  return Status::ok();
}

void StationJobFlow::acknowledge(const std::string& device_id, std::int64_t job_id, int attempt,
                                 ResultDisposition disposition) {
  protocol::AckStatus status = protocol::AckStatus::kRecorded;
  if (disposition == ResultDisposition::kDuplicate) status = protocol::AckStatus::kDuplicate;
  if (disposition == ResultDisposition::kStale) status = protocol::AckStatus::kStale;
  Status acked = link_->acknowledge(device_id, job_id, attempt, status);
  if (!acked.isOk() && acked.code() != ErrorCode::kNotFound) {
    logWarning(kComponent, "ack to " + device_id + " failed: " + acked.message());
  }
}

void StationJobFlow::leaseExpired(const std::string& device_id, std::int64_t job_id) {
  link_->forgetJob(device_id, job_id);
}

Result<std::vector<protocol::Part>> StationJobFlow::buildPayload(const StationJob& job) {
  JobPayloadInput input;
  Application application;
  Card card;
  const bool full = options_.artefacts == PayloadArtefacts::kFull;
  // A read-only transaction: it takes no write lock, so it never delays the line controller.
  // Headers-only payloads need no personal data, so nothing is decrypted for them.
  CARDLINE_RETURN_IF_ERROR(store_.read([&](StoreTransaction& tx) -> Status {
    if (full) {
      CARDLINE_ASSIGN_OR_RETURN(application, tx.applications().find(job.application_id));
    } else {
      CARDLINE_ASSIGN_OR_RETURN(application,
                                tx.applications().findWithoutPersonalData(job.application_id));
    }
    if (job.station == StationType::kEncode || job.station == StationType::kQa ||
        job.station == StationType::kDispatch) {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards,
                                tx.cards().forApplication(job.application_id));
      std::optional<Card> live = liveCard(cards);
      if (!live) {
        return failedPrecondition("application " + job.application_id +
                                  " has no card in the line");
      }
      card = *live;
    }
    return Status::ok();
  }));
  input.application = &application;
  input.card = &card;
  auto tmpl = materials_.templates.find(application.card_model);
  if (tmpl != materials_.templates.end()) input.card_template = &tmpl->second;
  input.signer = materials_.signer.get();
  input.csca_pem = materials_.csca_pem;
  input.receiving_unit = application.receiving_unit.code;
  input.artefacts = options_.artefacts;
  std::string signed_by;
  input.signed_by = &signed_by;
  CARDLINE_ASSIGN_OR_RETURN(std::vector<PayloadPart> parts, buildJobPayload(job.station, input));
  if (!signed_by.empty() && signed_by != card.signer_id) {
    // The chip carries this signer's signature: record it on the card (DOMAIN.md: the MES
    // knows which Document Signer signed each chip) before the job leaves, through the
    // controller like every other change. Not recorded means not sent: the job is retried.
    const std::string serial = card.serial;
    std::future<Status> recorded = controller_->submit(
        [serial, signed_by, &clock = clock_](StoreTransaction& tx, Engine&) -> Status {
          CARDLINE_ASSIGN_OR_RETURN(Card current, tx.cards().find(serial));
          if (current.signer_id == signed_by) return Status::ok();
          Card updated = current;
          updated.signer_id = signed_by;
          updated.updated_at = clock.now();
          return tx.cards().updateState(serial, current.state, updated);
        });
    if (recorded.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return unavailable("recording the signer of card " + serial + " timed out");
    }
    CARDLINE_RETURN_IF_ERROR(recorded.get().withContext("recording the signer of card " + serial));
  }
  std::vector<protocol::Part> out;
  out.reserve(parts.size());
  for (PayloadPart& p : parts) out.push_back(protocol::Part{std::move(p.name), std::move(p.data)});
  return out;
}

void StationJobFlow::payloadLoop() {
  for (;;) {
    std::pair<std::string, StationJob> item;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    const auto& [device_id, job] = item;
    protocol::Job out;
    out.job = job.id;
    out.attempt = job.attempt;
    out.station = toProtocolStation(job.station);
    out.application = job.application_id;
    out.lease_ms = options_.lease_ms;
    auto parts = buildPayload(job);
    Status sent = parts.isOk() ? Status::ok() : parts.status();
    if (sent.isOk()) {
      out.parts = std::move(parts).value();
      sent = link_->sendJob(device_id, out);
    }
    if (sent.isOk()) continue;
    logWarning(kComponent, "job " + std::to_string(job.id) + " for " + device_id +
                               " not sent: " + sent.message());
    if (!parts.isOk() && parts.status().code() == ErrorCode::kUnavailable) {
      // What makes this station's payloads is away (the signing token, the database): lease no
      // more of its jobs for a while instead of handing the same jobs out again and again; the
      // line goes on once it is back.
      controller_->pauseStation(job.station, kPayloadPause,
                                "the " + std::string(name(job.station)) +
                                    " payload cannot be made: " + parts.status().message());
    }
    if (!parts.isOk() && parts.status().code() == ErrorCode::kInvalidArgument) {
      // The record's data cannot make this payload, now or on the next try: hold the
      // application for a supervisor (audited in its events) instead of handing the job out
      // again and again.
      const std::string reason = "the " + std::string(name(job.station)) +
                                 " job cannot be prepared: " + parts.status().message();
      controller_->submit(
          [id = job.application_id, reason](StoreTransaction& tx, Engine& engine) -> Status {
            Status held = engine.hold(tx, SupervisorAction{id, "system", reason});
            return held.code() == ErrorCode::kFailedPrecondition ? Status::ok() : held;
          });
    }
    controller_->jobNotDelivered(device_id, job.id);
  }
}

}  // namespace cardline
