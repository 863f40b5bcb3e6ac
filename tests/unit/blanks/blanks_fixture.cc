#include "tests/unit/blanks/blanks_fixture.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "tests/unit/workflow/lease_ready.h"
#include "mes/config/workflow_loader.h"
#include "mes/storage/store_factory.h"

namespace cardline::blanks_test {
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

// The issue's tests refuse several wrong blanks in a row for one application, each retried;
// the hold after repeated refusals (EngineOptions::max_blank_refusals) is tested in
// engine_refusal_test.cc.
EngineOptions engineOptions() {
  EngineOptions options;
  options.max_blank_refusals = 10;
  return options;
}

}  // namespace

BlanksTest::BlanksTest()
    : engine_(catalog_, clock_, engineOptions()), stock_(clock_), observer_(stock_) {
  Status added = catalog_.add(loadShipped("standard-cccd-2021.yaml"));
  EXPECT_TRUE(added.isOk()) << added.toString();
  engine_.addObserver(&observer_);
}

void BlanksTest::SetUp() {
  auto pii = AesGcmPiiProtector::create(Bytes(32, 0x42));
  ASSERT_TRUE(pii.isOk()) << pii.status().toString();
  pii_ = std::move(pii).value();
  std::string pattern = ::testing::TempDir() + "cardline-blanks-XXXXXX";
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

void BlanksTest::TearDown() {
  store_.reset();
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_);
}

std::string BlanksTest::sn(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "VN%04d", n);
  return buf;
}

void BlanksTest::addUser(const std::string& name, std::vector<Role> roles) {
  User user;
  user.name = name;
  user.display_name = name;
  user.roles = std::move(roles);
  user.password_hash = "unused";
  user.created_at = clock_.now();
  Status s = act([&](StoreTransaction& tx) { return tx.users().insert(user); });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

void BlanksTest::addDevice(const std::string& id, StationType station) {
  Device device;
  device.id = id;
  device.station = station;
  device.state = DeviceState::kIdle;
  device.node_id = "node-1";
  Status s = act([&](StoreTransaction& tx) { return tx.devices().upsert(device); });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

void BlanksTest::receive(const std::string& lot, int first, int last, const std::string& line) {
  LotReceipt receipt;
  receipt.lot_id = lot;
  receipt.line = line;
  receipt.supplier = "Supplier JSC";
  receipt.chip_type = "P71";
  receipt.first_serial = sn(first);
  receipt.last_serial = sn(last);
  Status s =
      act([&](StoreTransaction& tx) { return stock_.receive(tx, receipt, "sup1").status(); });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

void BlanksTest::issue(const std::vector<std::string>& serials, const std::string& device) {
  Status s = act([&](StoreTransaction& tx) { return stock_.issue(tx, serials, device, "sup1"); });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

void BlanksTest::accept(const std::string& id) {
  Application a;
  a.id = id;
  a.card_model = CardModel::kCccd2021;
  a.personal_number = "001099012345";
  a.receiving_unit = ReceivingUnit{"HN-01", "Công an phường Hàng Bạc"};
  a.step = "received";
  a.received_at = clock_.now();
  Status s = act([&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
    return engine_.start(tx, a);
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

ResultEffect BlanksTest::run(StationType station, const std::string& device,
                             const std::string& outcome, const std::string& serial) {
  clock_.advanceMillis(1000);
  ResultEffect effect;
  StationJob job;
  Status s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<StationJob> jobs,
        leaseReady(tx.jobs(), station, device, "node-1", clock_.now().plusSeconds(30), 1));
    if (jobs.empty()) return notFound(std::string("no ready job at ") + name(station));
    job = jobs.front();
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
  StationResult r{job.id, job.attempt, device, outcome, serial, ""};
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(effect, engine_.applyResult(tx, r));
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
  return effect;
}

BlankSerial BlanksTest::serial(const std::string& s) {
  BlankSerial out;
  Status status = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.blanks().findSerial(s));
    return Status::ok();
  });
  EXPECT_TRUE(status.isOk()) << status.toString();
  return out;
}

std::vector<BlankFlag> BlanksTest::allFlags() {
  std::vector<BlankFlag> out;
  Status status = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.blanks().flags("", Timestamp{}, clock_.now().plusSeconds(1)));
    return Status::ok();
  });
  EXPECT_TRUE(status.isOk()) << status.toString();
  return out;
}

std::vector<Event> BlanksTest::eventsOf(const std::string& type, const std::string& id) {
  std::vector<Event> out;
  Status status = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.events().forSubject(type, id));
    return Status::ok();
  });
  EXPECT_TRUE(status.isOk()) << status.toString();
  return out;
}

}  // namespace cardline::blanks_test
