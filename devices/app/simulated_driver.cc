#include "devices/app/simulated_driver.h"

#include <csignal>
#include <cstdlib>
#include <thread>

#include "mes/base/log.h"

namespace cardline {
namespace {

const char* defectFor(protocol::Station station) {
  switch (station) {
    case protocol::Station::kPrint:
      return "smudged_print";
    case protocol::Station::kEncode:
      return "dead_chip";
    case protocol::Station::kQa:
      return "qa_mismatch";
    case protocol::Station::kDispatch:
      return "damaged_card";
  }
  return "defect";
}

}  // namespace

SimulatedDriver::SimulatedDriver(protocol::Station station, std::string device_id,
                                 SimulatedFaults faults, std::function<void()> on_disconnect,
                                 std::unique_ptr<Driver> card_work)
    : station_(station),
      device_id_(std::move(device_id)),
      faults_(faults),
      on_disconnect_(std::move(on_disconnect)),
      card_work_(std::move(card_work)),
      random_(faults.seed) {}

Result<protocol::JobResult> SimulatedDriver::perform(const protocol::Job& job) {
  int n;
  bool defect;
  int latency_ms = faults_.latency_ms;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = ++jobs_;
    defect = std::uniform_real_distribution<double>(0, 1)(random_) < faults_.defect_rate;
    if (faults_.latency_jitter_ms > 0) {
      latency_ms += std::uniform_int_distribution<int>(0, faults_.latency_jitter_ms)(random_);
    }
  }
  if (faults_.crash_after >= 0 && n > faults_.crash_after) {
    logError("sim", "simulated crash in the middle of job " + std::to_string(job.job));
    std::_Exit(70);
  }
  if (faults_.hang_after >= 0 && n > faults_.hang_after) {
    logError("sim", "simulated hang in job " + std::to_string(job.job) + " (SIGSTOP)");
    std::raise(SIGSTOP);
  }
  if (faults_.jam_after >= 0 && n == faults_.jam_after + 1) {
    logWarning("sim", "simulated jam in job " + std::to_string(job.job) +
                          ": waiting for an operator to clear the fault");
    return unavailable("jam: a card is stuck in the transport");
  }
  if (latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));  // the work
  }
  if (card_work_ != nullptr) {
    Result<protocol::JobResult> done = card_work_->perform(job);
    if (done.isOk()) done->measurements.emplace_back("sim_ms", static_cast<double>(latency_ms));
    if (faults_.disconnect_after >= 0 && n == faults_.disconnect_after && on_disconnect_) {
      on_disconnect_();
    }
    return done;
  }
  protocol::JobResult r;
  r.outcome = defect ? protocol::Outcome::kDefect : protocol::Outcome::kOk;
  if (defect) r.defect = defectFor(station_);
  if (station_ == protocol::Station::kPrint) {
    r.blank = "SIM-" + device_id_ + "-" + std::to_string(n);
  }
  r.detail = std::string("simulated ") + protocol::name(station_);
  r.measurements = {{"sim_ms", static_cast<double>(latency_ms)}};
  if (faults_.disconnect_after >= 0 && n == faults_.disconnect_after && on_disconnect_) {
    on_disconnect_();
  }
  return r;
}

}  // namespace cardline
