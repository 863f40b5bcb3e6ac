// The encode station's parts (kept apart from job_payloads.cc: mes/document/lds.h and
// mes/prep/prepare.h both declare kNoExpiryText, so one translation unit cannot include both).
#include "mes/document/chip.h"
#include "mes/document/lds.h"
#include "mes/prep/job_payloads.h"

namespace cardline {

Result<ChipParts> chipPayloadParts(const Application& application, const MrzText& mrz,
                                   const std::optional<Date>& expiry, Signer& signer) {
  CARDLINE_ASSIGN_OR_RETURN(ChipFiles chip,
                            buildChipFiles(mrz, application.person.photo.data,
                                           nationalDataFor(application, expiry), signer));
  const auto str = [](const Bytes& b) { return std::string(b.begin(), b.end()); };
  ChipParts out;
  out.signer_id = chip.signer_id;
  out.parts = {{"ef_com.bin", str(chip.ef_com)},
               {"dg1.bin", str(chip.dg1)},
               {"dg2.bin", str(chip.dg2)},
               {"dg13.bin", str(chip.dg13)},
               {"ef_sod.bin", str(chip.ef_sod)}};
  return out;
}

}  // namespace cardline
