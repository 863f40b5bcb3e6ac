#pragma once
// The complete chip image of one card: EF.COM, DG1, DG2, DG13 and the signed EF.SOD, built in
// one call from the already-prepared content. Thread-safe if the Signer is.

#include <string>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/core/signer.h"
#include "mes/document/lds.h"
#include "mes/document/mrz.h"
#include "mes/document/sod.h"

namespace cardline {

struct ChipFiles {
  Bytes ef_com;
  Bytes dg1;
  Bytes dg2;  // empty when the holder has no photo (a child under 6 on the 2024 model)
  Bytes dg13;
  Bytes ef_sod;
  std::string signer_id;  // record on the card (Card::signer_id)

  // DG1, DG2 (when present) and DG13 by number, as hashed in the SOD and as Passive
  // Authentication wants them.
  DataGroups dataGroups() const;
};

// Builds every file and signs the SOD (DG1, DG2, DG13 hashed; EF.COM lists 61 75 6D). An empty
// face_jpeg means the holder has no photo (DOMAIN.md: children under 6, 2024 model): the chip
// then has no DG2 (EF.COM lists 61 6D; the SOD hashes DG1 and DG13). Fails with
// kInvalidArgument when a non-empty face_jpeg is not a JPEG, otherwise with the signer's error
// (kFailedPrecondition past its validity window or document limit).
Result<ChipFiles> buildChipFiles(const MrzText& mrz, const Bytes& face_jpeg,
                                 const NationalData& national_data, Signer& signer);

}  // namespace cardline
