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
  Bytes dg2;
  Bytes dg13;
  Bytes ef_sod;
  std::string signer_id;  // record on the card (Card::signer_id)

  // DG1, DG2 and DG13 by number, as hashed in the SOD and as Passive Authentication wants them.
  DataGroups dataGroups() const;
};

// Builds every file and signs the SOD (DG1, DG2, DG13 hashed; EF.COM lists 61 75 6D). Fails with
// kInvalidArgument when face_jpeg is not a JPEG, otherwise with the signer's error
// (kFailedPrecondition past its validity window or document limit).
Result<ChipFiles> buildChipFiles(const MrzText& mrz, const Bytes& face_jpeg,
                                 const NationalData& national_data, Signer& signer);

}  // namespace cardline
