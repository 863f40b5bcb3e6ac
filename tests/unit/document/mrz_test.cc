#include "mes/document/mrz.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

Date d(int y, int m, int day) { return Date{y, m, day}; }

TEST(MrzCheckDigitTest, IcaoExamples) {
  EXPECT_EQ(mrzCheckDigit("D23145890").value(), '7');
  EXPECT_EQ(mrzCheckDigit("740812").value(), '2');
  EXPECT_EQ(mrzCheckDigit("120415").value(), '9');
  EXPECT_EQ(mrzCheckDigit("<<<<<<").value(), '0');
  EXPECT_EQ(mrzCheckDigit("").value(), '0');
  // 'A' counts 10, weight 7 -> 70 -> 0; 'B' 11*7 = 77 -> 7.
  EXPECT_EQ(mrzCheckDigit("A").value(), '0');
  EXPECT_EQ(mrzCheckDigit("B").value(), '7');
}

TEST(MrzCheckDigitTest, RejectsCharactersOutsideTheAlphabet) {
  Result<char> r = mrzCheckDigit("12a4");
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("index 2"), std::string::npos);
}

TEST(MrzComposeTest, IcaoTd1SpecimenByteForByte) {
  Td1Fields f;
  f.document_code = "I";
  f.issuing_state = "UTO";
  f.document_number = "D23145890";
  f.birth_date = d(1974, 8, 12);
  f.sex = MrzSex::kFemale;
  f.expiry_date = d(2012, 4, 15);
  f.nationality = "UTO";
  f.primary_identifier = "Eriksson";
  f.secondary_identifier = "Anna Maria";
  Result<MrzText> mrz = composeTd1(f);
  ASSERT_TRUE(mrz.isOk()) << mrz.status().toString();
  EXPECT_EQ(mrz->line1, "I<UTOD231458907<<<<<<<<<<<<<<<");
  EXPECT_EQ(mrz->line2, "7408122F1204159UTO<<<<<<<<<<<6");
  EXPECT_EQ(mrz->line3, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
}

VietnameseMrzInput domainExample() {
  VietnameseMrzInput in;
  in.personal_number = "001099012345";
  in.full_name = "Nguy\xE1\xBB\x85n V\xC4\x83n A";  // "Nguyễn Văn A" (NFC)
  in.birth_date = d(1999, 3, 15);
  in.sex = Sex::kMale;
  in.expiry_date = d(2024, 3, 15);
  return in;
}

TEST(MrzComposeTest, DomainExampleByteForByte) {
  Result<MrzText> mrz = composeVietnameseMrz(domainExample());
  ASSERT_TRUE(mrz.isOk()) << mrz.status().toString();
  EXPECT_EQ(mrz->line1, "IDVNM0990123459001099012345<<0");
  EXPECT_EQ(mrz->line2, "9903159M2403155VNM<<<<<<<<<<<2");
  EXPECT_EQ(mrz->line3, "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<");
  EXPECT_EQ(mrz->joined(),
            "IDVNM0990123459001099012345<<0\n9903159M2403155VNM<<<<<<<<<<<2\n"
            "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<");
}

TEST(MrzComposeTest, NoExpiryWritesSevenFillersAndTheCompositeStillChecks) {
  VietnameseMrzInput in = domainExample();
  in.expiry_date.reset();
  Result<MrzText> mrz = composeVietnameseMrz(in);
  ASSERT_TRUE(mrz.isOk());
  EXPECT_EQ(mrz->line2.substr(0, 18), "9903159M<<<<<<<VNM");
  Result<ParsedTd1> parsed = parseTd1(mrz->joined());
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(parsed->expiry_date, "");
}

TEST(MrzComposeTest, FemaleAndLongGivenNames) {
  VietnameseMrzInput in = domainExample();
  in.personal_number = "079301234567";
  in.full_name = "T\xC3\xB4n N\xE1\xBB\xAF Th\xE1\xBB\x8B Ho\xC3\xA0ng";  // Tôn Nữ Thị Hoàng
  in.sex = Sex::kFemale;
  Result<MrzText> mrz = composeVietnameseMrz(in);
  ASSERT_TRUE(mrz.isOk());
  EXPECT_EQ(mrz->line1.substr(0, 15),
            "IDVNM301234567" + std::string(1, *mrzCheckDigit("301234567")));
  EXPECT_EQ(mrz->line2[7], 'F');
  EXPECT_EQ(mrz->line3, "TON<<NU<THI<HOANG<<<<<<<<<<<<<");
}

TEST(MrzComposeTest, RejectsBadPersonalNumbers) {
  VietnameseMrzInput in = domainExample();
  for (const char* bad : {"00109901234", "0010990123456", "00109901234X", ""}) {
    in.personal_number = bad;
    EXPECT_EQ(composeVietnameseMrz(in).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  in.personal_number = "001099012345";
  in.full_name = "   ";
  EXPECT_FALSE(composeVietnameseMrz(in).isOk());
}

TEST(MrzComposeTest, RejectsFieldsOutsideTheAlphabetOrTooLong) {
  Td1Fields f;
  f.document_code = "I";
  f.issuing_state = "UTO";
  f.document_number = "D2314589012";  // 11 > 9
  f.nationality = "UTO";
  f.primary_identifier = "X";
  EXPECT_FALSE(composeTd1(f).isOk());
  f.document_number = "d23";
  EXPECT_FALSE(composeTd1(f).isOk());
  f.document_number = "D23";
  f.nationality = "UT";
  EXPECT_FALSE(composeTd1(f).isOk());
}

TEST(TransliterationTest, VietnameseNfcAndNfdGiveTheSameResult) {
  // NFC: precomposed letters.
  EXPECT_EQ(transliterateToMrz("Nguy\xE1\xBB\x85n"), "NGUYEN");
  // NFD: e + combining circumflex (U+0302) + combining tilde (U+0303).
  EXPECT_EQ(transliterateToMrz("Nguye\xCC\x82\xCC\x83n"), "NGUYEN");
  // Ư (U+01AF) vs U + combining horn (U+031B) + dot below (U+0323): "Trựng"/"Trựng".
  EXPECT_EQ(transliterateToMrz("Tr\xE1\xBB\xB1ng"), "TRUNG");
  EXPECT_EQ(transliterateToMrz("Tru\xCC\x9B\xCC\xA3ng"), "TRUNG");
  // Đ/đ
  EXPECT_EQ(transliterateToMrz("\xC4\x90\xE1\xBA\xB7ng \xC4\x91\xE1\xBB\xA9" "c"), "DANG<DUC");
  // Every Vietnamese vowel with each tone (lower case, NFC).
  EXPECT_EQ(transliterateToMrz("\xC3\xA0\xC3\xA1\xE1\xBA\xA3\xC3\xA3\xE1\xBA\xA1"), "AAAAA");
  EXPECT_EQ(transliterateToMrz("\xC4\x83\xE1\xBA\xB1\xE1\xBA\xAF\xE1\xBA\xB3"
                               "\xE1\xBA\xB5\xE1\xBA\xB7"),
            "AAAAAA");
  EXPECT_EQ(transliterateToMrz("\xC3\xA2\xE1\xBA\xA7\xE1\xBA\xA5\xE1\xBA\xA9"
                               "\xE1\xBA\xAB\xE1\xBA\xAD"),
            "AAAAAA");
  EXPECT_EQ(transliterateToMrz("\xC3\xAA\xE1\xBB\x81\xE1\xBA\xBF\xE1\xBB\x83"
                               "\xE1\xBB\x85\xE1\xBB\x87"),
            "EEEEEE");
  EXPECT_EQ(transliterateToMrz("\xC3\xAC\xC3\xAD\xE1\xBB\x89\xC4\xA9\xE1\xBB\x8B"), "IIIII");
  EXPECT_EQ(transliterateToMrz("\xC6\xA1\xE1\xBB\x9D\xE1\xBB\x9B\xE1\xBB\x9F"
                               "\xE1\xBB\xA1\xE1\xBB\xA3"),
            "OOOOOO");
  EXPECT_EQ(transliterateToMrz("\xC3\xB4\xE1\xBB\x93\xE1\xBB\x91\xE1\xBB\x95"
                               "\xE1\xBB\x97\xE1\xBB\x99"),
            "OOOOOO");
  EXPECT_EQ(transliterateToMrz("\xC6\xB0\xE1\xBB\xAB\xE1\xBB\xA9\xE1\xBB\xAD"
                               "\xE1\xBB\xAF\xE1\xBB\xB1"),
            "UUUUUU");
  EXPECT_EQ(transliterateToMrz("\xE1\xBB\xB3\xC3\xBD\xE1\xBB\xB7\xE1\xBB\xB9\xE1\xBB\xB5"),
            "YYYYY");
  // Upper case forms.
  EXPECT_EQ(transliterateToMrz("\xE1\xBB\xA8\xE1\xBB\xB8\xE1\xBA\xA0"), "UYA");
}

TEST(TransliterationTest, OtherCharactersBecomeFillers) {
  EXPECT_EQ(transliterateToMrz("Jean-Pierre O'Neil"), "JEAN<PIERRE<O<NEIL");
  EXPECT_EQ(transliterateToMrz("A1"), "A<");
  EXPECT_EQ(transliterateToMrz("\xE4\xB8\xAD"), "<");  // a CJK character
  EXPECT_EQ(transliterateToMrz("\xFF" "A"), "<A");     // invalid UTF-8 byte
  EXPECT_EQ(transliterateToMrz("\xC3"), "<");          // truncated sequence
}

TEST(MrzNameFieldTest, TruncationKeepsTheSurnameAndAnInitial) {
  // Fits exactly: 10 + 2 + 18 = 30.
  EXPECT_EQ(mrzNameField("ABCDEFGHIJ", "KLMNOPQRS TUVWXYZA").value(),
            "ABCDEFGHIJ<<KLMNOPQRS<TUVWXYZA");
  // Secondary identifier cut at the end.
  EXPECT_EQ(mrzNameField("NGUYEN", "THI NGOC PHUONG THAO XUAN MAI").value(),
            "NGUYEN<<THI<NGOC<PHUONG<THAO<X");
  // A cut that would end on a filler drops it (the field is padded again).
  EXPECT_EQ(mrzNameField("NGUYEN", "THI NGOC PHUONG THAOO XUAN").value(),
            "NGUYEN<<THI<NGOC<PHUONG<THAOO<");
  EXPECT_EQ(mrzNameField("NGUYEN", "THI NGOC PHUONG THAOOO XUAN").value(),
            "NGUYEN<<THI<NGOC<PHUONG<THAOOO");
  // A very long surname keeps 27 characters and the first initial.
  EXPECT_EQ(mrzNameField("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF", "VAN").value(),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZA<<V");
  // No given names.
  EXPECT_EQ(mrzNameField("NGUYEN", "").value(), "NGUYEN<<<<<<<<<<<<<<<<<<<<<<<<");
  EXPECT_FALSE(mrzNameField("123", "VAN").isOk());
  // Multiple spaces collapse.
  EXPECT_EQ(mrzNameField("Le", "  Van   Tam ").value(), "LE<<VAN<TAM<<<<<<<<<<<<<<<<<<<");
}

TEST(MrzParseTest, ParsesTheSpecimenAndTheDomainExample) {
  Result<ParsedTd1> icao = parseTd1(
      "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
      "ERIKSSON<<ANNA<MARIA<<<<<<<<<<\n");
  ASSERT_TRUE(icao.isOk()) << icao.status().toString();
  EXPECT_EQ(icao->document_code, "I");
  EXPECT_EQ(icao->issuing_state, "UTO");
  EXPECT_EQ(icao->document_number, "D23145890");
  EXPECT_EQ(icao->birth_date, "740812");
  EXPECT_EQ(icao->sex, 'F');
  EXPECT_EQ(icao->expiry_date, "120415");
  EXPECT_EQ(icao->nationality, "UTO");
  EXPECT_EQ(icao->primary_identifier, "ERIKSSON");
  EXPECT_EQ(icao->secondary_identifier, "ANNA<MARIA");
  EXPECT_EQ(icao->personal_number, "");

  Result<ParsedTd1> vn = parseTd1(
      "IDVNM0990123459001099012345<<09903159M2403155VNM<<<<<<<<<<<2NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<");
  ASSERT_TRUE(vn.isOk()) << vn.status().toString();
  EXPECT_EQ(vn->personal_number, "001099012345");
  EXPECT_EQ(vn->document_number, "099012345");
  EXPECT_EQ(vn->primary_identifier, "NGUYEN");
  EXPECT_EQ(vn->secondary_identifier, "VAN<A");
}

TEST(MrzParseTest, ReportsEveryBadCheckDigitWithItsPosition) {
  Result<ParsedTd1> r = parseTd1(
      "IDVNM0990123458001099012345<<1\n9903158M2403154VNM<<<<<<<<<<<2\n"
      "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<");
  ASSERT_FALSE(r.isOk());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("line 1 pos 15: document number check digit is 8, expected 9"),
            std::string::npos) << m;
  EXPECT_NE(m.find("line 2 pos 7: birth date check digit is 8, expected 9"), std::string::npos);
  EXPECT_NE(m.find("line 2 pos 15: expiry date check digit is 4, expected 5"), std::string::npos);
  EXPECT_NE(m.find("line 1 pos 30: personal number check digit is 1, expected 0"),
            std::string::npos);
  EXPECT_NE(m.find("line 2 pos 30: composite"), std::string::npos);
}

TEST(MrzParseTest, RejectsWrongShapes) {
  EXPECT_FALSE(parseTd1("I<UTO").isOk());
  EXPECT_FALSE(parseTd1("I<UTOD231458907<<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<6\n"
                        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<").isOk());
  Result<ParsedTd1> lower = parseTd1(
      "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
      "ERIKSSON<<ANNa<MARIA<<<<<<<<<<");
  ASSERT_FALSE(lower.isOk());
  EXPECT_NE(lower.status().message().find("line 3 pos 14"), std::string::npos);
  // Document number that is not the tail of the personal number.
  Result<ParsedTd1> tail = parseTd1(
      "IDVNM1990123452001099012345<<0\n9903159M2403155VNM<<<<<<<<<<<0\n"
      "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<");
  ASSERT_FALSE(tail.isOk());
  EXPECT_NE(tail.status().message().find("not the last 9 digits"), std::string::npos)
      << tail.status().message();
}

TEST(MrzParseTest, ComposedMrzAlwaysParsesBack) {
  VietnameseMrzInput in = domainExample();
  for (int year = 1940; year <= 2020; year += 7) {
    in.birth_date = d(year, 1 + year % 12, 1 + year % 28);
    in.personal_number = "0010" + std::to_string(year % 100 + 10) + "012345";
    in.personal_number.resize(12, '7');
    Result<MrzText> mrz = composeVietnameseMrz(in);
    ASSERT_TRUE(mrz.isOk());
    Result<ParsedTd1> parsed = parseTd1(mrz->joined());
    ASSERT_TRUE(parsed.isOk()) << parsed.status().toString() << "\n" << mrz->joined();
    EXPECT_EQ(parsed->personal_number, in.personal_number);
  }
}

}  // namespace
}  // namespace cardline
