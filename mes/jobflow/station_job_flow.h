#pragma once
// StationJobFlow: the path of a station job between the line controller and the devices.
//   - controller → device: JobDispatcher. A leased job is queued for a payload worker, which
//     builds its parts (the print PDF, the signed chip image, the QA expectations; or headers
//     only) off the controller thread, records on the card which Document Signer signed its
//     chip (through the controller, before the job leaves) and sends it over the device link.
//     A job that cannot be sent goes back to the controller (jobNotDelivered); one whose
//     record cannot make the payload holds the application for a supervisor; one whose payload
//     cannot be made for a passing reason (the signing token or the database away,
//     kUnavailable) pauses its station's leasing for two seconds at a time, with the reason.
//   - device → controller: DeviceLinkListener. READY, RESULT, STATUS and lost devices are
//     translated from the protocol into the controller's inputs (DeviceSlot, StationResult,
//     DeviceCondition, deviceGone).
//   - acknowledgements and expired leases go back to the link.
// Thread-safety: the listener methods are called on the devlink thread, the dispatcher methods
// on the controller thread; both only queue or forward. start()/stop() from the owner's thread.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mes/base/clock.h"
#include "mes/core/signer.h"
#include "mes/core/store.h"
#include "mes/devlink/device_link.h"
#include "mes/prep/card_template.h"
#include "mes/prep/job_payloads.h"
#include "mes/scheduler/line_controller.h"

namespace cardline {

struct StationJobFlowOptions {
  PayloadArtefacts artefacts = PayloadArtefacts::kFull;
  int payload_workers = 2;       // threads building payloads
  std::int64_t lease_ms = 30000; // the lease a JOB carries (PROTOCOL.md §5.3)
};

// What full payloads are made from. The signer and the CSCA are needed for full artefacts only.
struct PayloadMaterials {
  std::map<CardModel, CardTemplate> templates;
  std::unique_ptr<Signer> signer;
  std::string csca_pem;
};

class StationJobFlow final : public DeviceLinkListener, public JobDispatcher {
 public:
  // Called for every refused peer (the node logs and audits it).
  using RefusedPeerSink = std::function<void(const RefusedPeer&)>;

  // `store` and `clock` must outlive the flow.
  StationJobFlow(Store& store, const Clock& clock, StationJobFlowOptions options,
                 PayloadMaterials materials, RefusedPeerSink on_refused);
  ~StationJobFlow() override;
  StationJobFlow(const StationJobFlow&) = delete;
  StationJobFlow& operator=(const StationJobFlow&) = delete;

  // Connects the two ends (both must outlive the flow); call once, before start().
  void attach(LineController& controller, DeviceLink& link);
  // Starts and stops the payload workers. Jobs still queued at stop() are dropped: their leases
  // are released when the node's devices are lost or the leases expire.
  void start();
  void stop();

  // DeviceLinkListener.
  void onReady(const DeviceInfo& device, bool new_session) override;
  void onResult(const std::string& device_id, const protocol::JobResult& result,
                bool held) override;
  void onStatus(const std::string& device_id, const protocol::StatusReport& status) override;
  void onDeviceLost(const LostDevice& lost) override;
  void onRefused(const RefusedPeer& peer) override;

  // JobDispatcher.
  Status send(const std::string& device_id, const StationJob& job) override;
  void acknowledge(const std::string& device_id, std::int64_t job_id, int attempt,
                   ResultDisposition disposition) override;
  void leaseExpired(const std::string& device_id, std::int64_t job_id) override;

 private:
  Result<std::vector<protocol::Part>> buildPayload(const StationJob& job);
  void payloadLoop();

  Store& store_;
  const Clock& clock_;
  const StationJobFlowOptions options_;
  const PayloadMaterials materials_;
  const RefusedPeerSink on_refused_;
  LineController* controller_ = nullptr;
  DeviceLink* link_ = nullptr;

  std::mutex mu_;  // guards queue_, stopping_
  std::condition_variable wake_;
  std::deque<std::pair<std::string, StationJob>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// The controller's view of a protocol RESULT: "ok", the defect code or "aborted", the blank it
// consumed and its measurements as a JSON object.
StationResult toStationResult(const std::string& device_id, const protocol::JobResult& result);

}  // namespace cardline
