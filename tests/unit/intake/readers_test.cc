#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "mes/intake/csv_reader.h"
#include "mes/intake/record_reader.h"

namespace cardline {
namespace {

std::vector<CsvRow> readAll(const std::string& text, std::size_t max = 1 << 20) {
  std::istringstream in(text);
  CsvReader reader(in, max);
  std::vector<CsvRow> rows;
  while (auto row = reader.next()) rows.push_back(*row);
  return rows;
}

TEST(CsvReaderTest, ReadsQuotesSeparatorsAndNewlinesInsideQuotes) {
  auto rows = readAll("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 4);  // the quoted newline moved it down a line
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"last", "", ""}));
  for (const auto& r : rows) EXPECT_EQ(r.error, "");
}

TEST(CsvReaderTest, HandlesBomCrlfBlankLinesAndNoFinalNewline) {
  auto rows = readAll(
      "\xEF\xBB\xBF"
      "code,name\r\n\r\n001,\"Hà Nội\"\r\n002,Hà Giang");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"code", "name"}));
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"001", "Hà Nội"}));
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"002", "Hà Giang"}));
}

TEST(CsvReaderTest, ReportsBrokenQuotingAndOversizedRecordsAndContinues) {
  auto rows = readAll("a,b\n\"x\"y,z\n" + std::string(100, 'q') + ",1\nok,2\n\"open,3\n", 50);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1].error, "unexpected text after a closing quote");
  EXPECT_EQ(rows[2].error, "record is larger than 50 bytes");
  EXPECT_TRUE(rows[2].fields.empty());
  EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"ok", "2"}));
  EXPECT_EQ(rows[3].error, "");
  EXPECT_EQ(rows[4].error, "unterminated quoted field");
}

std::vector<RawRecord> readRecords(InputFormat format, const std::string& text,
                                   std::size_t max = 1 << 20) {
  std::istringstream in(text);
  ReaderOptions options;
  options.max_record_bytes = max;
  auto reader = makeRecordReader(format, in, options);
  std::vector<RawRecord> records;
  while (auto r = reader->next()) records.push_back(*r);
  EXPECT_TRUE(reader->status().isOk());
  return records;
}

TEST(JsonLinesReaderTest, FlattensObjectsAndSkipsBlankLines) {
  auto records =
      readRecords(InputFormat::kJsonLines,
                  "\xEF\xBB\xBF{\"a\":\"1\",\"photo\":{\"format\":\"jpeg\"},\"n\":null}\r\n"
                  "\r\n   \n{\"a\":\"2\"}");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[0].get("a"), "1");
  EXPECT_EQ(records[0].get("photo.format"), "jpeg");
  EXPECT_FALSE(records[0].has("n"));
  EXPECT_TRUE(records[0].problems.empty());
  EXPECT_EQ(records[1].line, 4);
  EXPECT_EQ(records[1].get("a"), "2");
}

TEST(JsonLinesReaderTest, HugeLineIsOneProblemAndReadingContinues) {
  std::string huge = "{\"a\":\"" + std::string(5000, 'x') + "\"}";
  auto records = readRecords(InputFormat::kJsonLines, huge + "\n{\"a\":\"after\"}\n", 1000);
  ASSERT_EQ(records.size(), 2u);
  ASSERT_EQ(records[0].problems.size(), 1u);
  EXPECT_EQ(records[0].problems[0].message, "record is larger than 1000 bytes");
  EXPECT_EQ(records[0].problems[0].field, "");
  EXPECT_EQ(records[1].get("a"), "after");
  EXPECT_EQ(records[1].line, 2);
}

TEST(JsonLinesReaderTest, ReportsBadJsonTypesAndInvalidUtf8) {
  auto records = readRecords(InputFormat::kJsonLines,
                             "{\"a\": \n[1]\n{\"a\":5,\"b\":[\"x\"],\"c\":true}\n"
                             "{\"a\":\"x\xC3\x28y\"}\n");
  ASSERT_EQ(records.size(), 4u);
  ASSERT_EQ(records[0].problems.size(), 1u);
  EXPECT_EQ(records[0].problems[0].message.rfind("invalid JSON: ", 0), 0u);
  EXPECT_EQ(records[1].problems[0].message, "not a JSON object");
  ASSERT_EQ(records[2].problems.size(), 3u);
  EXPECT_EQ(records[2].problems[0].field, "a");
  EXPECT_EQ(records[2].problems[0].message, "must be a string");
  ASSERT_EQ(records[3].problems.size(), 1u);
  EXPECT_EQ(records[3].problems[0].message,
            "not valid UTF-8 at byte 7 (invalid bytes read as U+FFFD)");
  EXPECT_EQ(records[3].get("a"), "x\xEF\xBF\xBD(y");
}

TEST(CsvRecordReaderTest, MapsHeaderNamesAndReportsFieldCountMismatch) {
  auto records = readRecords(InputFormat::kCsv,
                             "application_id,photo.format\r\nA-1,jpeg\r\nA-2\r\nA-3,png,extra\r\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].get("application_id"), "A-1");
  EXPECT_EQ(records[0].get("photo.format"), "jpeg");
  EXPECT_TRUE(records[0].problems.empty());
  EXPECT_EQ(records[0].line, 2);
  ASSERT_EQ(records[1].problems.size(), 1u);
  EXPECT_EQ(records[1].problems[0].message, "has 1 fields, the header has 2");
  EXPECT_EQ(records[2].problems[0].message, "has 3 fields, the header has 2");
}

TEST(FormatTest, FollowsTheExtension) {
  EXPECT_EQ(formatForPath("a/b.JSONL").value(), InputFormat::kJsonLines);
  EXPECT_EQ(formatForPath("x.csv").value(), InputFormat::kCsv);
  EXPECT_FALSE(formatForPath("x.txt").isOk());
  EXPECT_EQ(parseInputFormat("csv").value(), InputFormat::kCsv);
}

}  // namespace
}  // namespace cardline

namespace cardline {
namespace {

TEST(JsonBodyTest, AcceptsOneObjectOrAnArrayOfObjects) {
  auto one = parseJsonBody("{\"application_id\":\"A\",\"photo\":{\"format\":\"png\"}}");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].get("photo.format"), "png");
  EXPECT_TRUE(one[0].problems.empty());

  auto many = parseJsonBody("[{\"application_id\":\"A\"},7,{\"application_id\":\"C\"}]");
  ASSERT_EQ(many.size(), 3u);
  EXPECT_EQ(many[0].get("application_id"), "A");
  EXPECT_EQ(many[1].line, 2);
  ASSERT_EQ(many[1].problems.size(), 1u);
  EXPECT_EQ(many[1].problems[0].message, "not a JSON object");
  EXPECT_EQ(many[2].get("application_id"), "C");

  auto broken = parseJsonBody("{\"a\":");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].problems[0].message.rfind("invalid JSON: ", 0), 0u);
  auto scalar = parseJsonBody("\"text\"");  // POCO refuses top-level scalars itself
  ASSERT_EQ(scalar.size(), 1u);
  ASSERT_EQ(scalar[0].problems.size(), 1u);
  EXPECT_EQ(scalar[0].problems[0].field, "");
}

}  // namespace
}  // namespace cardline
