#pragma once
// The built-in stand-in for station hardware used by `cardline-device simulate` (and by `run`
// with driver: simulated): it answers every job "ok" after an optional latency, with a
// configurable defect rate and process-level faults for testing the line. The full card
// simulation (printed faces, an ISO 7816 chip file system, a QA camera) is devices/sim and
// plugs in through the same Driver interface.

#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>

#include "devices/runtime/driver.h"

namespace cardline {

struct SimulatedFaults {
  int latency_ms = 0;          // time each job takes
  double defect_rate = 0;      // fraction of jobs answered "defect" (0..1)
  std::uint64_t seed = 1;      // for the defect draw
  int crash_after = -1;        // the process exits in the middle of job N+1 (-1: never)
  int hang_after = -1;         // the process freezes (SIGSTOP) in job N+1 (-1: never)
  int disconnect_after = -1;   // the connection drops after N results (-1: never), once
};

class SimulatedDriver final : public Driver {
 public:
  // on_disconnect is called (on the worker thread) when disconnect_after is reached.
  SimulatedDriver(protocol::Station station, std::string device_id, SimulatedFaults faults,
                  std::function<void()> on_disconnect);

  protocol::Station station() const override { return station_; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override;

 private:
  protocol::Station station_;
  std::string device_id_;
  SimulatedFaults faults_;
  std::function<void()> on_disconnect_;
  std::mutex mu_;
  std::mt19937_64 random_;
  int jobs_ = 0;
};

}  // namespace cardline
