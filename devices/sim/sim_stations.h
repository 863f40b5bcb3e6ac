#pragma once
// The simulated station hardware behind the Driver interface: a printer, a chip encoder, the QA
// inspector (camera + chip reader + Passive Authentication) and the dispatch packer, all working
// on one card carrier store (card_carrier.h). The print and encode simulators inject the faults
// of their FaultRates; QA finds and classifies them (sim_defects.h, docs/qa.md). Each driver is
// called by the device runtime on one worker thread at a time; a driver's state is guarded by
// its own mutex, so tests may call perform() from several threads too.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "devices/runtime/driver.h"
#include "devices/sim/card_carrier.h"
#include "devices/sim/raster.h"
#include "devices/sim/sim_defects.h"
#include "mes/base/clock.h"

namespace cardline::sim {

// The last few print jobs rendered, by SHA-256 of the PDF (benchmarks and tests print the same few
// jobs many times; rendering dominates the simulators' cost otherwise).
class RenderCache {
 public:
  // The rendering of pdf at kSimDpi; fails as renderPdf.
  Result<PdfReading> get(const Bytes& pdf, const std::string& sha);
  // pdfTextLines of pdf, cached the same way. Fails as pdfTextLines.
  Result<std::vector<std::string>> textLines(const Bytes& pdf, const std::string& sha, int page,
                                             const LayoutBox& box);

 private:
  static constexpr std::size_t kEntries = 8;
  std::vector<std::pair<std::string, PdfReading>> entries_;              // oldest first
  std::vector<std::pair<std::string, std::vector<std::string>>> texts_;  // oldest first
};

// Draws at most one fault per job for one station (the first fault, in enum order, whose
// independent draw hits).
class FaultDraw {
 public:
  FaultDraw(FaultRates rates, FaultStation station);
  std::optional<SimFault> draw();
  // A number in [0, n) from the same generator (where to put a blot, which field...).
  std::size_t pick(std::size_t n);

 private:
  FaultRates rates_;
  FaultStation station_;
  std::mt19937_64 random_;
};

// Print: takes card.pdf (+ layout.txt) from the job, the next blank from the hopper, "prints"
// (stores the PDF, rasterises both faces at 300 dpi, lays down the faults) and reports the
// blank. Returns a non-OK Status (device fault) when the hopper is empty or the carrier store
// cannot be written; kInvalidArgument (device fault, job aborted by the runtime) when the job's
// parts are malformed.
class PrintSimulator final : public Driver {
 public:
  PrintSimulator(CardCarrier carrier, Hopper hopper, FaultRates faults);
  protocol::Station station() const override { return protocol::Station::kPrint; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override;

 private:
  std::mutex mu_;
  CardCarrier carrier_;
  Hopper hopper_;
  FaultDraw faults_;
  RenderCache renders_;
};

// Encode: writes EF.COM, DG1, DG2, DG13, EF.SOD from the job's parts into the chip of the card
// travelling with the application, by SELECT / UPDATE BINARY APDUs, then ACTIVATE; faults are
// physical (the chip dies afterwards, bytes flip, files land in each other's EF), so the
// encoder itself reports ok and QA finds them. Outcome aborted when no card travels with the
// application; a non-OK Status when the chip refuses a write or the store fails.
class EncodeSimulator final : public Driver {
 public:
  EncodeSimulator(CardCarrier carrier, FaultRates faults);
  protocol::Station station() const override { return protocol::Station::kEncode; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override;

 private:
  std::mutex mu_;
  CardCarrier carrier_;
  FaultDraw faults_;
};

// QA: inspects the card travelling with the application against the expected record of the job
// (see docs/qa.md for every check). Outcome ok, or defect with the first QaDefect in precedence
// order; the detail lists every defect found, the measurements the numbers behind them.
// Fails (device fault) only when the job's parts are malformed; a card that cannot be read is
// a defect, not a fault.
class QaInspector final : public Driver {
 public:
  // clock: the time Passive Authentication checks the certificates at. Must outlive this.
  QaInspector(CardCarrier carrier, const Clock& clock);
  protocol::Station station() const override { return protocol::Station::kQa; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override;

 private:
  std::mutex mu_;
  CardCarrier carrier_;
  const Clock& clock_;
  RenderCache renders_;
};

// Dispatch: confirms the card travelling with the application is packed for the job's
// receiving unit (recorded on the card). Outcome aborted when no card travels with it.
class DispatchSimulator final : public Driver {
 public:
  explicit DispatchSimulator(CardCarrier carrier);
  protocol::Station station() const override { return protocol::Station::kDispatch; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override;

 private:
  std::mutex mu_;
  CardCarrier carrier_;
};

// Hex SHA-256 of data (the meta.txt print_sha256 / sod_sha256 values).
std::string sha256Hex(const Bytes& data);

}  // namespace cardline::sim
