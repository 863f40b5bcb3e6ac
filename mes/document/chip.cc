#include "mes/document/chip.h"

namespace cardline {

DataGroups ChipFiles::dataGroups() const {
  if (dg2.empty()) return DataGroups{{1, dg1}, {13, dg13}};
  return DataGroups{{1, dg1}, {2, dg2}, {13, dg13}};
}

Result<ChipFiles> buildChipFiles(const MrzText& mrz, const Bytes& face_jpeg,
                                 const NationalData& national_data, Signer& signer) {
  ChipFiles files;
  EfCom com;
  if (face_jpeg.empty()) {
    com.tag_list = {kTagDg1, kTagDg13};  // no photo, no DG2
  } else {
    com.tag_list = {kTagDg1, kTagDg2, kTagDg13};
    CARDLINE_ASSIGN_OR_RETURN(files.dg2, buildDg2(face_jpeg));
  }
  files.ef_com = buildEfCom(com);
  files.dg1 = buildDg1(mrz);
  files.dg13 = buildDg13(national_data);
  CARDLINE_ASSIGN_OR_RETURN(EfSod sod, buildEfSod(files.dataGroups(), signer));
  files.ef_sod = std::move(sod.file);
  files.signer_id = std::move(sod.signer_id);
  return files;
}

}  // namespace cardline
