#pragma once
// The built-in stand-in for station hardware used by `cardline-device simulate` (and by `run`
// with driver: simulated). It adds the process-level faults (latency with jitter, crash, hang,
// disconnect) around the card work. The card work is either a devices/sim simulator (with
// --carrier: printed faces, an ISO 7816 chip, the QA camera; see docs/qa.md) or, without one,
// a stand-in that answers "ok" or, at the configured defect rate, "defect".

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "devices/runtime/driver.h"

namespace cardline {

struct SimulatedFaults {
  int latency_ms = 0;         // time each job takes
  int latency_jitter_ms = 0;  // plus a uniform draw in 0..jitter (a latency distribution)
  double defect_rate = 0;     // stand-in only: fraction of jobs answered "defect" (0..1)
  std::uint64_t seed = 1;     // for the defect draw
  int crash_after = -1;       // the process exits in the middle of job N+1 (-1: never)
  int hang_after = -1;        // the process freezes (SIGSTOP) in job N+1 (-1: never)
  int disconnect_after = -1;  // the connection drops after N results (-1: never), once
  int jam_after = -1;         // job N+1 jams (the device goes into fault until an operator
                              // clears it; no card consumed) (-1: never), once
};

class SimulatedDriver final : public Driver {
 public:
  // on_disconnect is called (on the worker thread) when disconnect_after is reached.
  // card_work: the devices/sim simulator doing the card work (its station must be station), or
  // null for the stand-in.
  SimulatedDriver(protocol::Station station, std::string device_id, SimulatedFaults faults,
                  std::function<void()> on_disconnect, std::unique_ptr<Driver> card_work = nullptr);

  protocol::Station station() const override { return station_; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override;

 private:
  protocol::Station station_;
  std::string device_id_;
  SimulatedFaults faults_;
  std::function<void()> on_disconnect_;
  std::unique_ptr<Driver> card_work_;
  std::mutex mu_;
  std::mt19937_64 random_;
  int jobs_ = 0;
};

}  // namespace cardline
