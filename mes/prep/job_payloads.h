#pragma once
// The MES side of the station jobs: the JOB payload parts (PROTOCOL.md §5.3, named binary
// frames) per station type, built from an Application (+ its Card). The part names and the
// meta.txt / layout.txt formats are documented in docs/qa.md; devices/sim reads them.
//   print    meta.txt, layout.txt, card.pdf (prepareCard's print job)
//   encode   meta.txt, ef_com.bin, dg1.bin, dg2.bin, dg13.bin, ef_sod.bin (buildChipFiles)
//   qa       meta.txt (blank = the serial print reported, print_sha256), layout.txt, mrz.txt,
//            qr.txt, csca.pem, face.jpg
//   dispatch meta.txt (blank, receiving_unit)
// With PayloadArtefacts::kHeadersOnly only meta.txt is sent (artefacts=headers), for
// throughput runs; the simulators then skip printing, encoding and inspecting but still
// consume blanks and report outcomes. std + mes/core + mes/document + mes/prep; thread-safe
// if the Signer is.

#include <optional>
#include <string>
#include <vector>

#include "mes/base/date.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/signer.h"
#include "mes/document/mrz.h"
#include "mes/prep/card_template.h"

namespace cardline {

enum class PayloadArtefacts { kFull, kHeadersOnly };

struct PreparedCard;  // mes/prep/prepare.h

// One named body frame of a JOB (protocol::Part has the same two members).
struct PayloadPart {
  std::string name;
  std::string data;
};

struct JobPayloadInput {
  const Application* application = nullptr;     // required
  const Card* card = nullptr;                   // qa, dispatch: the card print reported
  const CardTemplate* card_template = nullptr;  // print, encode, qa (full)
  Signer* signer = nullptr;                     // encode (full)
  std::string csca_pem;                         // qa (full): trust anchor for Passive Auth.
  std::string receiving_unit;                   // dispatch
  // Optional: prepareCard's result for this application and template, reused instead of
  // preparing again (the MES may keep it from the print job; prepareCard renders the PDF).
  const PreparedCard* prepared = nullptr;
  PayloadArtefacts artefacts = PayloadArtefacts::kFull;
  // Optional output, encode (full): set to the id of the Document Signer that signed the chip,
  // for the MES to record on the card.
  std::string* signed_by = nullptr;
};

// The payload parts of a job for `station`. Fails with kInvalidArgument when an input the
// station needs is missing (application; card for qa/dispatch; template for full print, encode
// and qa; signer for full encode; csca_pem for full qa) or when preparation fails (prepareCard,
// buildChipFiles: the message says which value); with the Signer's error when signing fails
// (kFailedPrecondition past its limits, kUnavailable).
Result<std::vector<PayloadPart>> buildJobPayload(StationType station, const JobPayloadInput& input);

// layout.txt for a template: one line per content element (field, text, image, qr, mrz) of
// both faces, "front|back KIND BINDING|- X Y W H" in mm.
std::string layoutText(const CardTemplate& tmpl);

// The encode parts after meta.txt (ef_com.bin, dg1.bin, dg2.bin, dg13.bin, ef_sod.bin) and the
// signer id, from the prepared MRZ and expiry (buildChipFiles). Fails as buildChipFiles does.
struct ChipParts {
  std::vector<PayloadPart> parts;
  std::string signer_id;
};
Result<ChipParts> chipPayloadParts(const Application& application, const MrzText& mrz,
                                   const std::optional<Date>& expiry, Signer& signer);

}  // namespace cardline
