#pragma once
// Fixture of the blank stock tests: a real SQLite store on a fresh temporary file, the shipped
// standard workflows, the workflow engine with the BlankObserver, and a FakeClock.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mes/blanks/blank_observer.h"
#include "mes/blanks/blank_stock.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/workflow/catalog.h"
#include "mes/workflow/engine.h"

namespace cardline::blanks_test {

class BlanksTest : public ::testing::Test {
 protected:
  BlanksTest();
  void SetUp() override;
  void TearDown() override;

  Status act(const std::function<Status(StoreTransaction&)>& work) {
    return store_->transact(work);
  }
  // Adds an account with the given roles.
  void addUser(const std::string& name, std::vector<Role> roles);
  // Registers a device of `station`.
  void addDevice(const std::string& id, StationType station = StationType::kPrint);
  // Receives serials prefix+first .. prefix+last (4-digit numbers) as `lot` on `line`.
  void receive(const std::string& lot, int first, int last, const std::string& line = "line-1");
  // Issues serials to a device (asserts success).
  void issue(const std::vector<std::string>& serials, const std::string& device);
  // Inserts an application and starts it in the engine.
  void accept(const std::string& id);
  // Leases the next job of `station` to `device` and reports `outcome` with `serial`.
  ResultEffect run(StationType station, const std::string& device, const std::string& outcome,
                   const std::string& serial = "");

  BlankSerial serial(const std::string& s);
  std::vector<BlankFlag> allFlags();
  std::vector<Event> eventsOf(const std::string& type, const std::string& id);

  // "VN0001" for 1.
  static std::string sn(int n);

  FakeClock clock_;
  WorkflowCatalog catalog_;
  Engine engine_;
  BlankStock stock_;
  BlankObserver observer_;
  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::unique_ptr<Store> store_;
  std::string temp_dir_;
};

}  // namespace cardline::blanks_test
