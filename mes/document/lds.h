#pragma once
// The chip's logical data structure (ICAO 9303 part 10, simplified): EF.COM, DG1 (MRZ),
// DG2 (face), DG13 (national data). Builders return each file's complete encoded bytes (the
// bytes the SOD hashes); parsers take the same bytes back. Layouts and simplifications are in
// docs/document.md. Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/date.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/document/mrz.h"

namespace cardline {

// File tags.
inline constexpr std::uint8_t kTagEfCom = 0x60;
inline constexpr std::uint8_t kTagDg1 = 0x61;
inline constexpr std::uint8_t kTagDg2 = 0x75;
inline constexpr std::uint8_t kTagDg13 = 0x6D;
inline constexpr std::uint8_t kTagEfSod = 0x77;

// The data group number of a file tag (0x61 -> 1, 0x75 -> 2, 0x6D -> 13); 0 for other tags.
int dataGroupNumber(std::uint8_t file_tag);

struct EfCom {
  std::string lds_version = "0107";        // 5F01
  std::string unicode_version = "040000";  // 5F36
  std::vector<std::uint8_t> tag_list;      // 5C: file tags of the data groups present
};

// 60 { 5F01 lds_version, 5F36 unicode_version, 5C tag_list }.
Bytes buildEfCom(const EfCom& com);
// Fails with kInvalidArgument when the outer tag is not 0x60, the TLVs are malformed, or one of
// the three children is missing.
Result<EfCom> parseEfCom(const Bytes& file);

// 61 { 5F1F <the 90 MRZ characters> }.
Bytes buildDg1(const MrzText& mrz);
// The MRZ inside DG1, split into its lines (TD1: 3 x 30). Fails with kInvalidArgument on a
// wrong outer tag, malformed TLVs, a missing 5F1F or a length other than 90.
Result<MrzText> parseDg1(const Bytes& file);

// 75 { 7F61 { 02 count=1, 7F60 { A1 {80 0101, 81 02, 87 0101, 88 0008}, 5F2E <JPEG> } } }:
// a biometric information template with one face; 5F2E holds the JPEG itself, not an ISO/IEC
// 19794-5 record (simplification). Fails with kInvalidArgument when jpeg does not start with the
// JPEG SOI marker FF D8.
Result<Bytes> buildDg2(const Bytes& jpeg);
// The JPEG inside DG2. Fails with kInvalidArgument on a wrong tag or a missing 7F61/7F60/5F2E.
Result<Bytes> parseDg2(const Bytes& file);

// DG13, national data, UTF-8 text as printed (dates dd/mm/yyyy), in the layout public readers of
// Vietnamese cards parse: 6D { 30 { 02 01 <field number>, 0C <text> [, 0C <text>] } ... }, one
// SEQUENCE per field, all fields always present (empty text when unknown). Field numbers (one
// table, kDg13Fields in lds.cc; sources and what stays unconfirmed in docs/document.md):
struct NationalData {
  std::string personal_number;  // 1
  std::string full_name;        // 2
  std::string date_of_birth;    // 3, dd/mm/yyyy
  std::string sex;              // 4, "Nam" / "Nữ"
  std::string nationality;      // 5
  std::string ethnicity;        // 6
  std::string religion;         // 7
  // 8: the place line of the card model: place of origin (Quê quán, 2021 model) or place of
  // birth registration (Nơi đăng ký khai sinh, 2024 model, which has no place of origin).
  std::string place_of_origin;
  std::string place_of_residence;  // 9
  std::string identifying_marks;   // 10
  std::string issue_date;          // 11, dd/mm/yyyy
  std::string expiry_date;         // 12, dd/mm/yyyy or "Không thời hạn"
  std::string father_name;         // 13, first text
  std::string mother_name;         // 13, second text
  std::string old_id_number;       // 16

  friend bool operator==(const NationalData& a, const NationalData& b);
};

// The text printed for a card without expiry.
inline constexpr char kNoExpiryText[] = "Kh\xC3\xB4ng th\xE1\xBB\x9Di h\xE1\xBA\xA1n";

// The national data of an application; expiry is computeExpiryDate()'s result.
NationalData nationalDataFor(const Application& application, const std::optional<Date>& expiry);

Bytes buildDg13(const NationalData& data);
// Fails with kInvalidArgument on a wrong outer tag, malformed TLVs, or an element that is not
// SEQUENCE { INTEGER, text... } (text: UTF8String or PrintableString). Unknown field numbers
// are ignored (forward compatibility); a field with fewer texts than the table leaves the rest
// empty.
Result<NationalData> parseDg13(const Bytes& file);

}  // namespace cardline
