#include "tests/unit/logistics/logistics_fixture.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "mes/config/workflow_loader.h"
#include "mes/storage/store_factory.h"

namespace cardline::logistics_test {
namespace {

std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

WorkflowDefinition loadShipped(const std::string& file) {
  WorkflowLoadResult loaded = loadWorkflowFile(sourceDir() + "/workflows/" + file);
  EXPECT_TRUE(loaded.problems.empty()) << loaded.problems.front().toString();
  return loaded.definition;
}

}  // namespace

LogisticsTest::LogisticsTest() : engine_(catalog_, clock_, EngineOptions{}) {
  Status added = catalog_.add(loadShipped("standard-cccd-2021.yaml"));
  EXPECT_TRUE(added.isOk()) << added.toString();
  added = catalog_.add(loadShipped("standard-can-cuoc-2024.yaml"));
  EXPECT_TRUE(added.isOk()) << added.toString();
  options_.box_capacity = 10;
}

void LogisticsTest::SetUp() {
  service_ = std::make_unique<LogisticsService>(engine_, clock_, options_);
  packer_ = std::make_unique<DispatchPacker>(*service_);
  engine_.addObserver(packer_.get());
  auto pii = AesGcmPiiProtector::create(Bytes(32, 0x37));
  ASSERT_TRUE(pii.isOk()) << pii.status().toString();
  pii_ = std::move(pii).value();
  std::string pattern = ::testing::TempDir() + "cardline-logistics-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  temp_dir_ = pattern;
  StoreOptions options;
  options.backend = StoreBackend::kSqlite;
  options.sqlite_path = temp_dir_ + "/cardline.db";
  auto migrated = migrateStore(options, clock_);
  ASSERT_TRUE(migrated.isOk()) << migrated.status().toString();
  auto store = openStore(options, *pii_);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  store_ = std::move(store).value();
}

void LogisticsTest::TearDown() {
  store_.reset();
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_);
}

void LogisticsTest::accept(const std::string& id, const std::string& personal_number,
                           const std::string& full_name, const ReceivingUnit& unit) {
  Application a;
  a.id = id;
  a.approval_ref = "APR-" + id;
  a.approved_at = clock_.now();
  a.card_model = CardModel::kCccd2021;
  a.personal_number = personal_number;
  a.issue_date = Date{2026, 1, 1};
  a.receiving_unit = unit;
  a.person.full_name = full_name;
  a.person.date_of_birth = Date{1990, 5, 17};
  a.person.nationality = "VNM";
  a.person.place_of_residence = "Số 1 Hàng Bạc, Phường Hoàn Kiếm, thành phố Hà Nội";
  a.person.photo = Image{"jpeg", Bytes(16, 0xab)};
  a.step = "received";
  a.received_at = clock_.now();
  Status s = inTx([&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
    return engine_.start(tx, a);
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

namespace {

// Leases the ready job of `station` that belongs to the application.
Result<StationJob> leaseFor(StoreTransaction& tx, StationType station,
                            const std::string& application_id, Timestamp expires) {
  CARDLINE_ASSIGN_OR_RETURN(auto ready, tx.jobs().lockReady(station, 1000));
  for (const StationJob& job : ready) {
    if (job.application_id != application_id) continue;
    CARDLINE_RETURN_IF_ERROR(tx.jobs().leaseJob(job.id, "dev-" + std::string(name(station)),
                                                "node-1", expires));
    return tx.jobs().find(job.id);
  }
  return notFound(std::string("no ready ") + name(station) + " job for " + application_id);
}

}  // namespace

void LogisticsTest::produce(const std::string& application_id, const std::string& serial) {
  for (StationType station : {StationType::kPrint, StationType::kEncode, StationType::kQa}) {
    Status s = inTx([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(
          StationJob job, leaseFor(tx, station, application_id, clock_.now().plusSeconds(60)));
      StationResult r{job.id, job.attempt, job.device_id, "ok",
                      station == StationType::kPrint ? serial : "", "{}"};
      return engine_.applyResult(tx, r).status();
    });
    ASSERT_TRUE(s.isOk()) << name(station) << ": " << s.toString();
    clock_.advanceMillis(60 * 1000);
  }
}

Status LogisticsTest::dispatch(const std::string& application_id, const std::string& outcome,
                               const std::string& measurements) {
  StationJob job;
  Status leased = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(job, leaseFor(tx, StationType::kDispatch, application_id,
                                            clock_.now().plusSeconds(60)));
    return Status::ok();
  });
  if (!leased.isOk()) return leased;
  return inTx([&](StoreTransaction& tx) -> Status {
    StationResult r{job.id, job.attempt, job.device_id, outcome, "", measurements};
    return engine_.applyResult(tx, r).status();
  });
}

void LogisticsTest::fullLine(const std::string& id, const std::string& personal_number,
                             const std::string& full_name, const ReceivingUnit& unit,
                             const std::string& serial) {
  accept(id, personal_number, full_name, unit);
  produce(id, serial);
  Status s = dispatch(id);
  ASSERT_TRUE(s.isOk()) << s.toString();
}

Application LogisticsTest::application(const std::string& id) {
  Application out;
  Status s = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.applications().find(id));
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
  return out;
}

Card LogisticsTest::card(const std::string& serial) {
  Card out;
  Status s = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.cards().find(serial));
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
  return out;
}

Box LogisticsTest::box(const std::string& id) {
  Box out;
  Status s = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.logistics().findBox(id));
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
  return out;
}

std::vector<Event> LogisticsTest::events(const std::string& type, const std::string& id) {
  std::vector<Event> out;
  Status s = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.events().forSubject(type, id));
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
  return out;
}

}  // namespace cardline::logistics_test
