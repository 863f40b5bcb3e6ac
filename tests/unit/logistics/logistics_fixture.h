#pragma once
// A real line for the logistics tests: the SQLite store (fresh temporary file, all
// migrations), the shipped workflows in the real Engine with the DispatchPacker hook, a
// FakeClock, and helpers that drive applications from intake to the dispatch station.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/core/store.h"
#include "mes/logistics/logistics_service.h"
#include "mes/security/audit_chain.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/workflow/catalog.h"
#include "mes/workflow/engine.h"

namespace cardline::logistics_test {

inline const ReceivingUnit kHanoiUnit{"HN-01", "Công an phường Hàng Bạc"};
inline const ReceivingUnit kSaigonUnit{"HCM-07", "Công an phường Bến Nghé"};

class LogisticsTest : public ::testing::Test {
 public:
  LogisticsTest();
  void SetUp() override;
  void TearDown() override;

  // What intake does: inserts the application and starts it in the engine (one transaction).
  void accept(const std::string& id, const std::string& personal_number,
              const std::string& full_name, const ReceivingUnit& unit);
  // Drives an accepted application through print (blank `serial`), encode and qa to "ok".
  void produce(const std::string& application_id, const std::string& serial);
  // Leases the application's dispatch job and reports `outcome` with `measurements`; returns
  // what the transaction returned (the engine + the DispatchPacker hook).
  Status dispatch(const std::string& application_id, const std::string& outcome = "ok",
                  const std::string& measurements = "");
  // accept + produce + dispatch "ok".
  void fullLine(const std::string& id, const std::string& personal_number,
                const std::string& full_name, const ReceivingUnit& unit,
                const std::string& serial);

  // Runs work in one store transaction.
  Status inTx(const std::function<Status(StoreTransaction&)>& work) {
    return store_->transact(work);
  }
  Application application(const std::string& id);
  Card card(const std::string& serial);
  Box box(const std::string& id);
  std::vector<Event> events(const std::string& type, const std::string& id);

  FakeClock clock_;
  WorkflowCatalog catalog_;
  Engine engine_;
  LogisticsOptions options_;
  std::unique_ptr<LogisticsService> service_;
  std::unique_ptr<DispatchPacker> packer_;
  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::unique_ptr<Store> store_;
  std::string temp_dir_;
  const std::vector<Role> logistics_roles_{Role::kLogistics};
};

}  // namespace cardline::logistics_test
