// The import pipeline against the real SQLite Store adapter (mes/storage) on a temporary file.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "mes/config/reference_loader.h"
#include "mes/intake/generator.h"
#include "mes/intake/import_report.h"
#include "mes/intake/importer.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"
#include "tests/unit/intake/test_paths.h"

namespace cardline {
namespace {

using testing::intakeDataDir;

// Delegates to a real store but fails one chosen transaction (after running its work, so
// the real transaction rolls back) as if the process died before the commit.
class CrashingStore final : public Store {
 public:
  CrashingStore(Store& inner, int fail_call) : inner_(inner), fail_call_(fail_call) {}
  Status transact(const std::function<Status(StoreTransaction&)>& work) override {
    if (++calls_ >= fail_call_) {
      Status rolled_back = inner_.transact([&](StoreTransaction& tx) {
        Status s = work(tx);
        return s.isOk() ? unavailable("injected crash before commit") : s;
      });
      return rolled_back;
    }
    return inner_.transact(work);
  }
  Status read(const std::function<Status(StoreTransaction&)>& work) override {
    return inner_.read(work);
  }
  StoreBackend backend() const override { return inner_.backend(); }
  StoreCounters counters() const override { return inner_.counters(); }

 private:
  Store& inner_;
  int fail_call_;
  int calls_ = 0;
};

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "cardline-intake-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto pii = AesGcmPiiProtector::create(Bytes(32, 0x42));
    ASSERT_TRUE(pii.isOk());
    pii_ = std::move(pii).value();
    options_.backend = StoreBackend::kSqlite;
    options_.sqlite_path = dir_ + "/cardline.db";
    auto migrated = migrateStore(options_, clock_);
    ASSERT_TRUE(migrated.isOk()) << migrated.status().toString();
    auto store = openStore(options_, *pii_);
    ASSERT_TRUE(store.isOk()) << store.status().toString();
    store_ = std::move(store).value();
    auto reference = ReferenceData::loadFromDirectory(testing::referenceDir());
    ASSERT_TRUE(reference.isOk());
    reference_ = reference.value();
    // Temporary inputs find the fixture images through a link.
    ASSERT_EQ(::symlink((intakeDataDir() + "/images").c_str(), (dir_ + "/images").c_str()), 0);
    hook_ = [this](StoreTransaction&, const Application& a) {
      hooked_.push_back(a.id);
      return Status::ok();
    };
  }

  void TearDown() override {
    store_.reset();
    std::string command = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }

  ImportSummary import(const std::vector<std::string>& paths, Store* store = nullptr) {
    return importFiles(paths, import_options_, store ? *store : *store_, reference_, clock_, hook_);
  }

  // Writes `lines` to a file in the temporary folder.
  std::string writeFile(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string fixtureLine(const std::string& file, int line) {
    std::ifstream in(intakeDataDir() + "/" + file);
    std::string text;
    for (int i = 0; i < line; ++i) std::getline(in, text);
    return text;
  }

  Application find(const std::string& id) {
    Application found;
    Status s = store_->transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(found, tx.applications().find(id));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << id << ": " << s.toString();
    return found;
  }

  ErrorCode findCode(const std::string& id) {
    return store_
        ->transact([&](StoreTransaction& tx) { return tx.applications().find(id).status(); })
        .code();
  }

  std::vector<Event> events(const std::string& id) {
    std::vector<Event> out;
    Status s = store_->transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(out, tx.events().forSubject("application", id));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return out;
  }

  std::int64_t queued() {
    std::int64_t n = -1;
    Status s = store_->transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(n, tx.applications().countInState(ApplicationState::kQueued));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return n;
  }

  std::string dir_;
  FakeClock clock_;
  StoreOptions options_;
  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::unique_ptr<Store> store_;
  ReferenceData reference_;
  ImportOptions import_options_;
  AcceptHook hook_;
  std::vector<std::string> hooked_;
};

TEST_F(ImportTest, AcceptedRecordsAreStoredWithEventAndHookAndRejectedOnesReported) {
  auto summary = import({intakeDataDir() + "/valid.jsonl", intakeDataDir() + "/broken.jsonl"});
  ASSERT_TRUE(summary.status.isOk()) << summary.status.toString();
  EXPECT_EQ(summary.records, 6 + 65);
  EXPECT_EQ(summary.accepted, 6);
  EXPECT_EQ(summary.rejected, 65);
  EXPECT_EQ(summary.duplicates, 0);
  EXPECT_FALSE(summary.clean());
  EXPECT_EQ(hooked_.size(), 6u);
  ASSERT_EQ(summary.rejections.size(), 65u);
  EXPECT_EQ(summary.rejections[0].line, 1);
  EXPECT_EQ(summary.rejections[0].application_id, "B-pn-short");
  EXPECT_EQ(summary.rejections[0].problems[0].field, "personal_number");

  Application a = find("V-0001");
  EXPECT_EQ(a.state, ApplicationState::kQueued);
  EXPECT_EQ(a.step, "received");
  EXPECT_EQ(a.received_at, clock_.now());
  EXPECT_EQ(a.print_due, clock_.now().plusSeconds(2 * 24 * 3600));
  EXPECT_EQ(a.person.full_name, "Nguyễn Văn An");
  EXPECT_FALSE(a.person.photo.data.empty());
  auto history = events("V-0001");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].kind, "imported");
  EXPECT_EQ(history[0].actor, "system");
  EXPECT_NE(history[0].detail.find("\"line\":1"), std::string::npos);
  EXPECT_EQ(queued(), 6);
}

// Since 1 July 2025: an application naming a receiving unit from before (PC06-001 of Hà Nội, a
// district police of Hồ Chí Minh, the provincial police of Hậu Giang) goes to the unit that
// replaced it, and its history says so; an unknown unit is still rejected.
TEST_F(ImportTest, AUnitFromBeforeTheMergerIsRoutedToItsSuccessorWithAnEvent) {
  auto full = loadReferenceData(testing::referenceDir());
  ASSERT_TRUE(full.isOk()) << full.status().toString();
  reference_ = full.value();
  std::string text;
  const std::string first = fixtureLine("valid.jsonl", 1);
  struct Case {
    const char* id;
    const char* number;
    const char* from_code;
    const char* from_name;
    const char* to_code;
    const char* to_name;
  };
  const Case cases[] = {
      {"R-1", "001090000001", "PC06-001",
       "Phòng Cảnh sát quản lý hành chính về trật tự xã hội, Công an thành phố Hà Nội", "CA-001",
       "Công an thành phố Hà Nội"},
      {"R-2", "001090000002", "CA-079-05", "Công an huyện Củ Chi - Hồ Chí Minh", "CA-079",
       "Công an thành phố Hồ Chí Minh"},
      {"R-3", "001090000003", "PC06-093",
       "Phòng Cảnh sát quản lý hành chính về trật tự xã hội, Công an tỉnh Hậu Giang", "CA-092",
       "Công an thành phố Cần Thơ"},
      {"R-4", "001090000004", "CA-010", "Công an tỉnh Lào Cai", "CA-010", "Công an tỉnh Lào Cai"},
      {"R-5", "001090000005", "CA-999", "Công an tỉnh Nowhere", "", ""},
  };
  for (const Case& c : cases) {
    Poco::JSON::Object::Ptr record =
        Poco::JSON::Parser().parse(first).extract<Poco::JSON::Object::Ptr>();
    record->set("application_id", std::string(c.id));
    record->set("personal_number", std::string(c.number));
    Poco::JSON::Object::Ptr unit = new Poco::JSON::Object;
    unit->set("code", std::string(c.from_code));
    unit->set("name", std::string(c.from_name));
    record->set("receiving_unit", unit);
    std::ostringstream line;
    record->stringify(line);
    text += line.str() + "\n";
  }
  auto summary = import({writeFile("routed.jsonl", text)});
  ASSERT_TRUE(summary.status.isOk()) << summary.status.toString();
  EXPECT_EQ(summary.accepted, 4);
  ASSERT_EQ(summary.rejections.size(), 1u);
  EXPECT_EQ(summary.rejections[0].application_id, "R-5");
  EXPECT_EQ(summary.rejections[0].problems[0].message, "unknown receiving unit CA-999");
  for (const Case& c : cases) {
    if (std::string(c.to_code).empty()) continue;
    SCOPED_TRACE(c.id);
    const Application a = find(c.id);
    EXPECT_EQ(a.receiving_unit.code, c.to_code);
    EXPECT_EQ(a.receiving_unit.name, c.to_name);
    std::vector<Event> history = events(c.id);
    const bool current = std::string(c.from_code) == c.to_code;
    ASSERT_EQ(history.size(), current ? 1u : 2u);
    if (current) continue;
    EXPECT_EQ(history[1].kind, "receiving_unit_routed");
    EXPECT_NE(history[1].detail.find(std::string("\"from\":\"") + c.from_code + "\""),
              std::string::npos)
        << history[1].detail;
    EXPECT_NE(history[1].detail.find(std::string("\"to\":\"") + c.to_code + "\""),
              std::string::npos)
        << history[1].detail;
    EXPECT_NE(history[1].detail.find("\"reference_version\":1"), std::string::npos);
  }
}

TEST_F(ImportTest, ReimportingTheSameFileIsHarmlessInEitherFormat) {
  auto first = import({intakeDataDir() + "/valid.jsonl"});
  EXPECT_EQ(first.accepted, 6);
  EXPECT_TRUE(first.clean());
  auto again = import({intakeDataDir() + "/valid.jsonl", intakeDataDir() + "/valid.csv"});
  EXPECT_TRUE(again.clean()) << again.rejections.size();
  EXPECT_EQ(again.accepted, 0);
  EXPECT_EQ(again.duplicates, 12);
  EXPECT_EQ(queued(), 6);
  EXPECT_EQ(events("V-0002").size(), 1u);
}

TEST_F(ImportTest, SameIdWithDifferentContentIsAnError) {
  ASSERT_EQ(import({intakeDataDir() + "/valid.jsonl"}).accepted, 6);
  std::string line = fixtureLine("valid.jsonl", 1);
  auto at = line.find("Số 12 Lê Lợi");
  ASSERT_NE(at, std::string::npos);
  line.replace(at, std::string("Số 12").size(), "Số 14");
  auto summary = import({writeFile("changed.jsonl", line + "\n")});
  EXPECT_EQ(summary.rejected, 1);
  ASSERT_EQ(summary.rejections.size(), 1u);
  EXPECT_EQ(summary.rejections[0].application_id, "V-0001");
  ASSERT_EQ(summary.rejections[0].problems.size(), 1u);
  EXPECT_EQ(summary.rejections[0].problems[0].field, "application_id");
  EXPECT_EQ(summary.rejections[0].problems[0].message,
            "was already imported with different content (content hash differs)");
  EXPECT_EQ(find("V-0001").person.place_of_residence, "Số 12 Lê Lợi, Phường Hoàn Kiếm, thành phố Hà Nội");
}

TEST_F(ImportTest, APersonalNumberInProductionIsRejectedNamingItsApplication) {
  std::string line = fixtureLine("valid.jsonl", 1);
  std::string second = line;
  second.replace(second.find("V-0001"), 6, "V-0099");
  auto summary = import({writeFile("twice.jsonl", line + "\n" + second + "\n")});
  EXPECT_EQ(summary.accepted, 1);
  ASSERT_EQ(summary.rejections.size(), 1u);
  EXPECT_EQ(summary.rejections[0].line, 2);
  EXPECT_EQ(summary.rejections[0].problems[0].field, "personal_number");
  EXPECT_EQ(summary.rejections[0].problems[0].message,
            "already has application V-0001 in production (state queued)");

  // Once the first application is cancelled, a new one for the person is accepted.
  Status cancelled = store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(auto a, tx.applications().find("V-0001"));
    return tx.applications().updatePosition("V-0001", a.revision, "cancelled",
                                            ApplicationState::kCancelled);
  });
  ASSERT_TRUE(cancelled.isOk()) << cancelled.toString();
  auto retry = import({writeFile("second.jsonl", second + "\n")});
  EXPECT_EQ(retry.accepted, 1);
  EXPECT_TRUE(retry.clean());
}

TEST_F(ImportTest, AFailingHookRejectsOnlyItsRecord) {
  hook_ = [this](StoreTransaction& tx, const Application& a) {
    if (a.id == "V-0003") {
      // Writes something first: it must be rolled back with the record.
      Event extra;
      extra.subject_type = "application";
      extra.subject_id = a.id;
      extra.kind = "hook-partial";
      extra.detail = "{}";
      CARDLINE_RETURN_IF_ERROR(tx.events().append(extra));
      return failedPrecondition("no workflow for this card model");
    }
    hooked_.push_back(a.id);
    return Status::ok();
  };
  auto summary = import({intakeDataDir() + "/valid.jsonl"});
  EXPECT_EQ(summary.accepted, 5);
  EXPECT_EQ(summary.rejected, 1);
  ASSERT_EQ(summary.rejections.size(), 1u);
  EXPECT_EQ(summary.rejections[0].application_id, "V-0003");
  EXPECT_EQ(summary.rejections[0].problems[0].message,
            "could not be stored: failed_precondition: no workflow for this card model");
  EXPECT_EQ(findCode("V-0003"), ErrorCode::kNotFound);
  EXPECT_TRUE(events("V-0003").empty());
  EXPECT_EQ(queued(), 5);
}

TEST_F(ImportTest, ACrashMidImportLeavesWholeRecordsAndARerunCompletesTheFile) {
  GenerateOptions generate;
  generate.count = 25;
  generate.seed = 99;
  generate.latest_date = Date{2025, 12, 20};
  std::ostringstream text;
  ASSERT_TRUE(generateApplications(generate, reference_, text).isOk());
  std::string path = writeFile("generated.jsonl", text.str());

  import_options_.batch_size = 4;
  CrashingStore crashing(*store_, 3);  // the third batch dies before its commit
  auto crashed = import({path}, &crashing);
  EXPECT_EQ(crashed.status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(crashed.accepted, 8);
  EXPECT_EQ(queued(), 8);

  hooked_.clear();
  auto rerun = import({path});
  EXPECT_TRUE(rerun.clean()) << rerun.status.toString();
  EXPECT_EQ(rerun.duplicates, 8);
  EXPECT_EQ(rerun.accepted, 17);
  EXPECT_EQ(queued(), 25);
  for (int i = 0; i < 25; ++i) {
    std::string id = "GEN-99-" + std::string(i < 10 ? "0000000" : "000000") + std::to_string(i);
    EXPECT_EQ(events(id).size(), 1u) << id;
  }
}

TEST_F(ImportTest, AMissingFileStopsTheImportWithAnError) {
  auto summary = import({dir_ + "/absent.jsonl"});
  EXPECT_EQ(summary.status.code(), ErrorCode::kNotFound);
  EXPECT_FALSE(summary.clean());
}

TEST_F(ImportTest, SummaryAndJsonReportListEveryProblem) {
  auto summary = import({intakeDataDir() + "/valid.jsonl", intakeDataDir() + "/broken.jsonl"});
  std::ostringstream text;
  printImportSummary(summary, text);
  EXPECT_EQ(text.str().rfind("records 71: accepted 6, rejected 65, duplicates 0\n", 0), 0u);
  std::string broken = intakeDataDir() + "/broken.jsonl";
  EXPECT_NE(text.str().find(broken + ":1 B-pn-short: personal_number: must be 12 digits\n"),
            std::string::npos);
  EXPECT_NE(text.str().find(broken + ":63 (no application_id): (record): invalid JSON: "),
            std::string::npos);

  std::ostringstream json;
  ASSERT_TRUE(writeImportReport(summary, json).isOk());
  Poco::JSON::Parser parser;
  auto report = parser.parse(json.str()).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(report->getValue<int>("accepted"), 6);
  EXPECT_EQ(report->getValue<int>("rejected"), 65);
  EXPECT_EQ(report->getValue<std::string>("status"), "ok");
  auto rejections = report->getArray("rejections");
  ASSERT_EQ(rejections->size(), 65u);
  auto first = rejections->getObject(0);
  EXPECT_EQ(first->getValue<int>("line"), 1);
  EXPECT_EQ(first->getValue<std::string>("application_id"), "B-pn-short");
  auto problem = first->getArray("problems")->getObject(0);
  EXPECT_EQ(problem->getValue<std::string>("field"), "personal_number");
  EXPECT_EQ(problem->getValue<std::string>("message"), "must be 12 digits");
}

}  // namespace
}  // namespace cardline
