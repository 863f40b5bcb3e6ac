#include "tests/unit/storage/store_fixture.h"

#include <dirent.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace cardline {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string valueText(const SqlValue& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return std::to_string(*d);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* b = std::get_if<Bytes>(&value)) return toString(*b);
  return "NULL";
}

// Drops every table of the MySQL schema so each test starts from an empty database.
void dropAllTables(SqlConnection& db) {
  auto tables = db.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()", {});
  ASSERT_TRUE(tables.isOk()) << tables.status().toString();
  ASSERT_TRUE(db.executeDirect("SET FOREIGN_KEY_CHECKS = 0").isOk());
  for (const auto& row : *tables) {
    const std::string table = *sqlText(row.at(0));
    Status dropped = db.executeDirect("DROP TABLE IF EXISTS `" + table + "`");
    ASSERT_TRUE(dropped.isOk()) << dropped.toString();
  }
  ASSERT_TRUE(db.executeDirect("SET FOREIGN_KEY_CHECKS = 1").isOk());
}

}  // namespace

std::string testBackendName(const ::testing::TestParamInfo<TestBackend>& info) {
  return info.param == TestBackend::kSqlite ? "Sqlite" : "MariaDb";
}

void StoreContractTest::SetUp() {
  auto pii = AesGcmPiiProtector::create(Bytes(32, 0x5a));
  ASSERT_TRUE(pii.isOk());
  pii_ = std::move(pii).value();
  options_.max_connections = 8;
  if (GetParam() == TestBackend::kSqlite) {
    std::string pattern = ::testing::TempDir() + "cardline-store-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    temp_dir_ = pattern;
    options_.backend = StoreBackend::kSqlite;
    options_.sqlite_path = temp_dir_ + "/cardline.db";
  } else {
    options_.backend = StoreBackend::kMysql;
    options_.mysql_url = env("CARDLINE_MYSQL_URL");
    options_.mysql_user = env("CARDLINE_MYSQL_USER");
    options_.mysql_password = env("CARDLINE_MYSQL_PASSWORD");
    options_.mysql_schema = env("CARDLINE_MYSQL_SCHEMA");
    if (options_.mysql_url.empty() || options_.mysql_schema.empty()) {
      const std::string why =
          "CARDLINE_MYSQL_URL/_USER/_PASSWORD/_SCHEMA are not set; start a server with "
          "eval \"$(scripts/mariadb.sh start /tmp/cl-mariadb)\"";
      if (env("CARDLINE_REQUIRE_MARIADB") == "1") {
        FAIL() << "MariaDB is required (CARDLINE_REQUIRE_MARIADB=1) but " << why;
      }
      GTEST_SKIP() << why;
    }
    auto db = openSqlConnection(options_);
    ASSERT_TRUE(db.isOk()) << db.status().toString();
    dropAllTables(**db);
    if (HasFatalFailure()) return;
  }
  auto report = migrateStore(options_, clock_);
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  ASSERT_EQ(report->from_version, 0);
  ASSERT_EQ(report->applied.size(), schemaMigrations().size());
  auto store = openStore(options_, *pii_);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  store_ = std::move(store).value();
}

void StoreContractTest::TearDown() {
  store_.reset();
  if (!temp_dir_.empty()) {
    const std::string command = "rm -rf '" + temp_dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
}

Application StoreContractTest::makeApplication(const std::string& id,
                                               const std::string& personal_number,
                                               const std::string& full_name) const {
  Application a;
  a.id = id;
  a.approval_ref = "APR-" + id;
  a.approved_at = Timestamp::fromSeconds(1767000000);
  a.card_model = CardModel::kCccd2021;
  a.request_type = RequestType::kRenewal;
  a.priority = Priority::kUrgent;
  a.personal_number = personal_number;
  a.issue_date = *Date::parse("2026-01-05");
  a.receiving_unit = {"HN-BD", "Công an quận Ba Đình"};
  a.person.full_name = full_name;
  a.person.date_of_birth = *Date::parse("1990-02-28");
  a.person.sex = Sex::kFemale;
  a.person.nationality = "VNM";
  a.person.ethnicity = "Kinh";
  a.person.religion = "Không";
  a.person.place_of_origin = "Xã Đông Anh, thành phố Hà Nội";
  a.person.place_of_birth_registration = "Hà Nội";
  a.person.place_of_residence = "12 Phố Huế, Phường Hai Bà Trưng, thành phố Hà Nội";
  a.person.identifying_marks = "Nốt ruồi cách 2cm dưới mắt trái";
  a.person.father_name = "Nguyễn Văn Bố";
  a.person.mother_name = "Trần Thị Mẹ";
  a.person.old_id_number = "012345678";
  a.person.photo = Image{"jpeg", Bytes{0xff, 0xd8, 0x00, 0x01, 0x00, 0xff, 0xd9}};
  a.person.fingerprint_left_index = Image{"wsq", Bytes{0x00, 0x00, 0x7f}};
  a.person.fingerprint_right_index = Image{"png", Bytes{0x89, 'P', 'N', 'G', 0x00}};
  a.content_hash = std::string(64, 'c');
  a.workflow = "standard@1";
  a.step = "print";
  a.state = ApplicationState::kQueued;
  a.revision = 0;
  a.received_at = Timestamp::fromSeconds(1767100000);
  a.print_due = Timestamp::fromSeconds(1767300000);
  a.dispatch_due = Timestamp{};
  return a;
}

StationJob StoreContractTest::makeJob(const std::string& application_id, StationType station,
                                      Priority priority, Timestamp due) const {
  StationJob job;
  job.application_id = application_id;
  job.station = station;
  job.step = name(station);
  job.priority = priority;
  job.due = due;
  job.receiving_unit = "HN-BD";
  job.province = "HN";
  job.created_at = clock_.now();
  return job;
}

void StoreContractTest::insertApplication(const std::string& id,
                                          const std::string& personal_number) {
  const Application a = makeApplication(id, personal_number, "Người " + id);
  Status status = store_->transact([&](StoreTransaction& tx) {
    return tx.applications().insert(a);
  });
  ASSERT_TRUE(status.isOk()) << status.toString();
}

std::unique_ptr<Store> StoreContractTest::openAnotherStore(int max_connections) {
  StoreOptions options = options_;
  options.max_connections = max_connections;
  auto store = openStore(options, *pii_);
  EXPECT_TRUE(store.isOk()) << store.status().toString();
  return store.isOk() ? std::move(store).value() : nullptr;
}

std::string StoreContractTest::rawDatabaseContent() {
  auto db = openSqlConnection(options_);
  EXPECT_TRUE(db.isOk()) << db.status().toString();
  if (!db.isOk()) return {};
  std::string content;
  if (GetParam() == TestBackend::kSqlite) {
    EXPECT_TRUE((*db)->executeDirect("PRAGMA wal_checkpoint(TRUNCATE)").isOk());
    DIR* dir = ::opendir(temp_dir_.c_str());
    EXPECT_NE(dir, nullptr);
    if (dir == nullptr) return {};
    int files = 0;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string file = entry->d_name;
      if (file == "." || file == "..") continue;
      std::ifstream in(temp_dir_ + "/" + file, std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      content += bytes.str();
      ++files;
    }
    ::closedir(dir);
    EXPECT_GE(files, 1);
    return content;
  }
  auto tables = (*db)->query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()", {});
  EXPECT_TRUE(tables.isOk()) << tables.status().toString();
  if (!tables.isOk()) return {};
  for (const auto& table : *tables) {
    auto rows = (*db)->query("SELECT * FROM `" + *sqlText(table.at(0)) + "`", {});
    EXPECT_TRUE(rows.isOk()) << rows.status().toString();
    if (!rows.isOk()) continue;
    for (const auto& row : *rows) {
      for (const auto& value : row) content += valueText(value) + "\x1f";
    }
  }
  return content;
}

}  // namespace cardline
