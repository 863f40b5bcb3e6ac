#include "mes/document/lds.h"

#include <cstdio>

#include "mes/document/tlv.h"

namespace cardline {
namespace {

constexpr std::uint32_t kTagInteger = 0x02;
constexpr std::uint32_t kTagUtf8String = 0x0C;
constexpr std::uint32_t kTagSequence = 0x30;
constexpr std::uint32_t kTagPrintableString = 0x13;

// One table for DG13: field number <-> the members it holds, in order (field 13 holds two texts,
// father then mother), used to build and to parse. Field numbers 14 and 15 are not written (no
// public reader names them; docs/document.md).
struct Dg13Field {
  int number;
  std::string NationalData::*first;
  std::string NationalData::*second;  // nullptr: one text
};
const Dg13Field kDg13Fields[] = {
    {1, &NationalData::personal_number, nullptr},
    {2, &NationalData::full_name, nullptr},
    {3, &NationalData::date_of_birth, nullptr},
    {4, &NationalData::sex, nullptr},
    {5, &NationalData::nationality, nullptr},
    {6, &NationalData::ethnicity, nullptr},
    {7, &NationalData::religion, nullptr},
    {8, &NationalData::place_of_origin, nullptr},
    {9, &NationalData::place_of_residence, nullptr},
    {10, &NationalData::identifying_marks, nullptr},
    {11, &NationalData::issue_date, nullptr},
    {12, &NationalData::expiry_date, nullptr},
    {13, &NationalData::father_name, &NationalData::mother_name},
    {16, &NationalData::old_id_number, nullptr},
};

Result<Tlv> outer(const Bytes& file, std::uint8_t tag, const char* what) {
  CARDLINE_ASSIGN_OR_RETURN(Tlv tlv, decodeSingleTlv(file));
  if (tlv.tag != tag) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s: outer tag is %X, expected %X", what, tlv.tag, tag);
    return invalidArgument(buf);
  }
  return tlv;
}

Result<Tlv> child(const Tlv& parent, std::uint32_t tag, const char* what) {
  Result<Tlv> found = findChild(parent, tag);
  if (!found.isOk()) return found.status().withContext(what);
  return found;
}

std::string dmy(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

}  // namespace

int dataGroupNumber(std::uint8_t file_tag) {
  switch (file_tag) {
    case kTagDg1:
      return 1;
    case kTagDg2:
      return 2;
    case kTagDg13:
      return 13;
    default:
      return 0;
  }
}

Bytes buildEfCom(const EfCom& com) {
  return encodeConstructed(
      kTagEfCom, {encodeTlv(0x5F01, toBytes(com.lds_version)),
                  encodeTlv(0x5F36, toBytes(com.unicode_version)), encodeTlv(0x5C, com.tag_list)});
}

Result<EfCom> parseEfCom(const Bytes& file) {
  CARDLINE_ASSIGN_OR_RETURN(Tlv com, outer(file, kTagEfCom, "EF.COM"));
  EfCom out;
  CARDLINE_ASSIGN_OR_RETURN(Tlv lds, child(com, 0x5F01, "EF.COM"));
  CARDLINE_ASSIGN_OR_RETURN(Tlv unicode, child(com, 0x5F36, "EF.COM"));
  CARDLINE_ASSIGN_OR_RETURN(Tlv tags, child(com, 0x5C, "EF.COM"));
  out.lds_version = toString(lds.value);
  out.unicode_version = toString(unicode.value);
  out.tag_list = tags.value;
  return out;
}

Bytes buildDg1(const MrzText& mrz) {
  return encodeConstructed(kTagDg1,
                           {encodeTlv(0x5F1F, toBytes(mrz.line1 + mrz.line2 + mrz.line3))});
}

Result<MrzText> parseDg1(const Bytes& file) {
  CARDLINE_ASSIGN_OR_RETURN(Tlv dg1, outer(file, kTagDg1, "DG1"));
  CARDLINE_ASSIGN_OR_RETURN(Tlv mrz_tlv, child(dg1, 0x5F1F, "DG1"));
  const std::string text = toString(mrz_tlv.value);
  if (text.size() != 90) {
    return invalidArgument("DG1: MRZ has " + std::to_string(text.size()) +
                           " characters, expected 90 (TD1)");
  }
  return MrzText{text.substr(0, 30), text.substr(30, 30), text.substr(60, 30)};
}

Result<Bytes> buildDg2(const Bytes& jpeg) {
  if (jpeg.size() < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) {
    return invalidArgument("DG2: the face image is not a JPEG (no FF D8 start marker)");
  }
  const Bytes header = encodeConstructed(0xA1, {encodeTlv(0x80, {0x01, 0x01}),    // header version
                                                encodeTlv(0x81, {0x02}),          // facial features
                                                encodeTlv(0x87, {0x01, 0x01}),    // format owner
                                                encodeTlv(0x88, {0x00, 0x08})});  // format type
  const Bytes biometric = encodeConstructed(0x7F60, {header, encodeTlv(0x5F2E, jpeg)});
  const Bytes group = encodeConstructed(0x7F61, {encodeTlv(kTagInteger, {0x01}), biometric});
  return encodeConstructed(kTagDg2, {group});
}

Result<Bytes> parseDg2(const Bytes& file) {
  CARDLINE_ASSIGN_OR_RETURN(Tlv dg2, outer(file, kTagDg2, "DG2"));
  CARDLINE_ASSIGN_OR_RETURN(Tlv group, child(dg2, 0x7F61, "DG2"));
  CARDLINE_ASSIGN_OR_RETURN(Tlv biometric, child(group, 0x7F60, "DG2"));
  CARDLINE_ASSIGN_OR_RETURN(Tlv image, child(biometric, 0x5F2E, "DG2"));
  return image.value;
}

bool operator==(const NationalData& a, const NationalData& b) {
  for (const Dg13Field& field : kDg13Fields) {
    if (a.*field.first != b.*field.first) return false;
    if (field.second != nullptr && a.*field.second != b.*field.second) return false;
  }
  return true;
}

NationalData nationalDataFor(const Application& application, const std::optional<Date>& expiry) {
  const Person& p = application.person;
  NationalData d;
  d.personal_number = application.personal_number;
  d.full_name = p.full_name;
  d.date_of_birth = dmy(p.date_of_birth);
  d.sex = p.sex == Sex::kMale ? "Nam" : "N\xE1\xBB\xAF";
  d.nationality = p.nationality;
  d.ethnicity = p.ethnicity;
  d.religion = p.religion;
  d.place_of_origin = application.card_model == CardModel::kCanCuoc2024
                          ? p.place_of_birth_registration
                          : p.place_of_origin;
  d.place_of_residence = p.place_of_residence;
  d.identifying_marks = p.identifying_marks;
  d.issue_date = dmy(application.issue_date);
  d.expiry_date = expiry ? dmy(*expiry) : std::string(kNoExpiryText);
  d.father_name = p.father_name;
  d.mother_name = p.mother_name;
  d.old_id_number = p.old_id_number;
  return d;
}

Bytes buildDg13(const NationalData& data) {
  std::vector<Bytes> children;
  for (const Dg13Field& field : kDg13Fields) {
    std::vector<Bytes> parts = {encodeTlv(kTagInteger, {static_cast<std::uint8_t>(field.number)}),
                                encodeTlv(kTagUtf8String, toBytes(data.*field.first))};
    if (field.second != nullptr) {
      parts.push_back(encodeTlv(kTagUtf8String, toBytes(data.*field.second)));
    }
    children.push_back(encodeConstructed(kTagSequence, parts));
  }
  return encodeConstructed(kTagDg13, children);
}

Result<NationalData> parseDg13(const Bytes& file) {
  CARDLINE_ASSIGN_OR_RETURN(Tlv dg13, outer(file, kTagDg13, "DG13"));
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Tlv> children, decodeTlvSequence(dg13.value));
  NationalData out;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const std::string where = "DG13 element " + std::to_string(i + 1);
    if (children[i].tag != kTagSequence) return invalidArgument(where + ": not a SEQUENCE");
    CARDLINE_ASSIGN_OR_RETURN(std::vector<Tlv> parts, decodeTlvSequence(children[i].value));
    bool texts = parts.size() >= 2;
    for (std::size_t k = 1; k < parts.size(); ++k) {
      texts = texts && (parts[k].tag == kTagUtf8String || parts[k].tag == kTagPrintableString);
    }
    if (!texts || parts[0].tag != kTagInteger || parts[0].value.size() != 1) {
      return invalidArgument(where + ": expected SEQUENCE { INTEGER, text... }");
    }
    const int number = parts[0].value[0];
    for (const Dg13Field& field : kDg13Fields) {
      if (field.number != number) continue;
      out.*field.first = toString(parts[1].value);
      if (field.second != nullptr && parts.size() > 2) out.*field.second = toString(parts[2].value);
    }
  }
  return out;
}

}  // namespace cardline
