#pragma once
// The Driver interface: what a station's hardware adapter implements so that the runtime can
// host it (devices/print, encode, qa, dispatch; the simulation in devices/sim and the built-in
// stand-ins of cardline-device simulate). The runtime owns the protocol; a driver only does the
// physical work.

#include "devices/protocol/message.h"
#include "mes/base/status.h"

namespace cardline {

class Driver {
 public:
  virtual ~Driver() = default;

  // The station type this driver serves (announced in READY).
  virtual protocol::Station station() const = 0;

  // Does the physical work of job and describes what happened. Called on the runtime's worker
  // thread, one job at a time; may block for as long as the hardware takes (the runtime keeps
  // heart-beating meanwhile). The runtime fills in job and attempt of the result.
  // Return a result with outcome defect (and its code) for a bad card, aborted when the
  // device could not do the job without consuming a card. A non-OK Status means the device is
  // in fault: the runtime reports the job aborted and STATUS fault with the status message.
  virtual Result<protocol::JobResult> perform(const protocol::Job& job) = 0;

  // An operator cleared the device's fault (CLEAR from the MES, PROTOCOL.md §5.10). Checks
  // that the hardware can work again: OK leaves fault; an error keeps the device in fault with
  // the error's message as the STATUS detail. Called on the runtime's I/O thread; a device in
  // fault takes no new jobs meanwhile. The default has nothing to check.
  virtual Status clearFault() { return Status::ok(); }
};

}  // namespace cardline
