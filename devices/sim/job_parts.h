#pragma once
// The JOB payload parts as the simulators read them. The producer is mes/prep/job_payloads.h;
// the format (part names, meta keys, layout lines) is documented in docs/qa.md and both sides
// are held together by tests/unit/sim (which builds payloads with the producer and runs them
// through the simulators). std + mes/base only.

#include <map>
#include <string>
#include <vector>

#include "devices/protocol/message.h"
#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline::sim {

// A content box of the card layout (layout.txt line "face kind binding x y w h", mm from the
// top-left corner; binding "-" when none).
struct LayoutBox {
  int face = 0;         // 0 front, 1 back
  std::string kind;     // "field", "text", "image", "qr", "mrz"
  std::string binding;  // "full_name", "photo", ... or "" for fixed text, qr and mrz
  double x = 0, y = 0, w = 0, h = 0;
};

// A decoded job payload.
struct JobParts {
  std::map<std::string, std::string> meta;  // meta.txt
  std::map<std::string, Bytes> files;       // every other part by name
  std::vector<LayoutBox> layout;            // layout.txt, when present

  // artefacts=headers: the MES sent only the small header (throughput benchmarks).
  bool headersOnly() const;
  std::string metaValue(const std::string& key) const;
  // The part `name`. Fails with kInvalidArgument naming the missing part.
  Result<Bytes> file(const std::string& name) const;
};

// Splits the job's parts. Fails with kInvalidArgument when meta.txt is missing or a line of
// meta.txt or layout.txt is malformed.
Result<JobParts> readJobParts(const protocol::Job& job);

// Card width and height in mm (ID-1) used to map layout boxes to pixels.
inline constexpr double kCardWidthMm = 85.60;
inline constexpr double kCardHeightMm = 53.98;

}  // namespace cardline::sim
