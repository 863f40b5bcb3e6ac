// Fuzzes the MRZ code (mes/document/mrz.h): the check digit, transliteration, the name field,
// composeTd1 / composeVietnameseMrz from arbitrary fields, and parseTd1 on arbitrary text and on
// whatever the composers produce. Properties: transliteration writes only MRZ characters; a
// name field is 30 characters; composed lines are 30 MRZ characters each and parse back with
// the same document number, dates, sex, nationality and (Vietnamese) personal number.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "mes/base/date.h"
#include "mes/document/mrz.h"
#include "tests/fuzz/fuzz_support.h"

namespace cardline {
namespace {

bool isMrzText(const std::string& s) {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<';
    if (!ok) return false;
  }
  return true;
}

std::string withoutTrailingFillers(std::string s) {
  while (!s.empty() && s.back() == '<') s.pop_back();
  return s;
}

std::string yymmdd(const Date& d) {
  const std::string text = d.toString();  // YYYY-MM-DD
  return text.substr(2, 2) + text.substr(5, 2) + text.substr(8, 2);
}

// A real date between 1900-01-01 and 2099-12-31 (the MRZ keeps two digits of the year).
Date someDate(FuzzedDataProvider& in) {
  return Date::fromDays(in.ConsumeIntegralInRange<std::int64_t>(-25567, 47481));
}

void checkComposed(const MrzText& mrz) {
  for (const std::string* line : {&mrz.line1, &mrz.line2, &mrz.line3}) {
    fuzz::check(line->size() == 30, "an MRZ line has 30 characters");
    fuzz::check(isMrzText(*line), "an MRZ line holds only MRZ characters");
  }
}

void fuzzTd1(FuzzedDataProvider& in) {
  Td1Fields f;
  f.document_code = in.ConsumeRandomLengthString(4);
  f.issuing_state = in.ConsumeRandomLengthString(5);
  f.document_number = in.ConsumeRandomLengthString(12);
  f.optional_data1 = in.ConsumeRandomLengthString(18);
  f.birth_date = someDate(in);
  f.sex = in.PickValueInArray({MrzSex::kMale, MrzSex::kFemale, MrzSex::kUnspecified});
  if (in.ConsumeBool()) f.expiry_date = someDate(in);
  f.nationality = in.ConsumeRandomLengthString(5);
  f.optional_data2 = in.ConsumeRandomLengthString(14);
  f.primary_identifier = in.ConsumeRandomLengthString(48);
  f.secondary_identifier = in.ConsumeRandomLengthString(64);
  auto composed = composeTd1(f);
  if (!composed.isOk()) return;
  checkComposed(composed.value());
  // A generic TD1 with state VNM and optional data shaped like the Vietnamese line 1 is held to
  // the Vietnamese rules by parseTd1; only other documents are checked for the round trip.
  if (f.issuing_state.rfind("VNM", 0) == 0) return;
  auto parsed = parseTd1(composed->joined());
  if (!parsed.isOk()) {
    std::fprintf(stderr, "%s\n%s\n", composed->joined().c_str(),
                 parsed.status().message().c_str());
  }
  fuzz::check(parsed.isOk(), "a composed TD1 parses");
  fuzz::check(parsed->document_number == withoutTrailingFillers(f.document_number),
              "document number round trip");
  fuzz::check(parsed->birth_date == yymmdd(f.birth_date), "birth date round trip");
  fuzz::check(parsed->expiry_date == (f.expiry_date ? yymmdd(*f.expiry_date) : ""),
              "expiry date round trip");
  fuzz::check(parsed->nationality == withoutTrailingFillers(f.nationality),
              "nationality round trip");
  const char sex = f.sex == MrzSex::kMale ? 'M' : f.sex == MrzSex::kFemale ? 'F' : '<';
  fuzz::check(parsed->sex == sex, "sex round trip");
}

void fuzzVietnamese(FuzzedDataProvider& in) {
  VietnameseMrzInput v;
  v.personal_number = in.ConsumeRandomLengthString(14);
  v.full_name = in.ConsumeRandomLengthString(80);
  v.birth_date = someDate(in);
  v.sex = in.ConsumeBool() ? Sex::kMale : Sex::kFemale;
  if (in.ConsumeBool()) v.expiry_date = someDate(in);
  if (in.ConsumeBool()) v.nationality = in.ConsumeRandomLengthString(4);
  auto composed = composeVietnameseMrz(v);
  if (!composed.isOk()) return;
  checkComposed(composed.value());
  auto parsed = parseTd1(composed->joined());
  if (!parsed.isOk()) {
    std::fprintf(stderr, "%s\n%s\n", composed->joined().c_str(),
                 parsed.status().message().c_str());
  }
  fuzz::check(parsed.isOk(), "a composed Vietnamese MRZ parses");
  fuzz::check(parsed->personal_number == v.personal_number, "personal number round trip");
  fuzz::check(parsed->birth_date == yymmdd(v.birth_date), "birth date round trip");
  fuzz::check(parsed->sex == (v.sex == Sex::kMale ? 'M' : 'F'), "sex round trip");
  fuzz::check(!parsed->primary_identifier.empty(), "the surname is kept");
}

}  // namespace
}  // namespace cardline

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  const std::string_view whole = fuzz::asText(data, size);

  // The raw input as MRZ text, as a field for the check digit and as a name.
  (void)parseTd1(whole);
  auto digit = mrzCheckDigit(whole);
  if (digit.isOk()) fuzz::check(digit.value() >= '0' && digit.value() <= '9', "a digit");
  fuzz::check(isMrzText(transliterateToMrz(whole)), "transliteration gives MRZ characters");

  FuzzedDataProvider in(data, size);
  const std::string primary = in.ConsumeRandomLengthString(64);
  const std::string secondary = in.ConsumeRandomLengthString(64);
  auto name_field = mrzNameField(primary, secondary);
  if (name_field.isOk()) {
    fuzz::check(name_field->size() == 30, "the name field has 30 characters");
    fuzz::check(isMrzText(name_field.value()), "the name field holds MRZ characters");
  }
  if (in.ConsumeBool()) {
    fuzzTd1(in);
  } else {
    fuzzVietnamese(in);
  }
  return 0;
}
