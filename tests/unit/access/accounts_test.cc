#include "mes/security/accounts.h"

#include <gtest/gtest.h>

#include "tests/unit/access/access_fixture.h"

namespace cardline {
namespace {

constexpr char kPassword[] = "đúng-mật-khẩu-2026";

class AccountServiceTest : public AccessStoreTest {
 protected:
  void addLan() {
    Status added = accounts_->addUser("lan", "Trần Thị Lan", {Role::kOperator}, kPassword,
                                      "system");
    ASSERT_TRUE(added.isOk()) << added.toString();
  }
  std::vector<AuditEntry> entriesWithAction(const std::string& action) {
    std::vector<AuditEntry> out;
    for (const auto& e : auditEntries()) {
      if (e.action == action) out.push_back(e);
    }
    return out;
  }
};

TEST_F(AccountServiceTest, AddListAndLogin) {
  addLan();
  auto users = accounts_->list();
  ASSERT_TRUE(users.isOk());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].display_name, "Trần Thị Lan");
  EXPECT_EQ((*users)[0].roles, std::vector<Role>{Role::kOperator});

  auto login = accounts_->login("lan", kPassword, "127.0.0.1");
  ASSERT_TRUE(login.isOk()) << login.status().toString();
  EXPECT_EQ(login->name, "lan");

  ASSERT_EQ(entriesWithAction("user.add").size(), 1u);
  EXPECT_EQ(entriesWithAction("user.add")[0].actor, "system");
  ASSERT_EQ(entriesWithAction("user.login").size(), 1u);
  EXPECT_EQ(entriesWithAction("user.login")[0].subject, "user:lan");
  EXPECT_TRUE(audit_->verify()->intact());
}

TEST_F(AccountServiceTest, StoredPasswordIsASlowSaltedHash) {
  addLan();
  std::string stored;
  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) -> Status {
    auto user = tx.users().find("lan");
    if (user.isOk()) stored = user->password_hash;
    return user.status();
  }).isOk());
  EXPECT_EQ(stored.rfind("pbkdf2-sha256$", 0), 0u);
  EXPECT_EQ(stored.find(kPassword), std::string::npos);
}

TEST_F(AccountServiceTest, BadInputRefused) {
  addLan();
  EXPECT_EQ(accounts_->addUser("lan", "Other", {Role::kAdmin}, kPassword, "system").code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(accounts_->addUser("Bad Name", "X", {Role::kAdmin}, kPassword, "system").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_->addUser("minh", "Minh", {}, kPassword, "system").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_->addUser("minh", "Minh", {Role::kAdmin}, "short", "system").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_->addUser("minh", "", {Role::kAdmin}, kPassword, "system").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_->list()->size(), 1u);
}

TEST_F(AccountServiceTest, EveryFailureHasTheSameMessageButTheAuditSaysWhy) {
  addLan();
  ASSERT_TRUE(accounts_->addUser("minh", "Minh", {Role::kAdmin}, kPassword, "system").isOk());
  ASSERT_TRUE(accounts_->disable("minh", "system").isOk());
  auto bad = accounts_->login("lan", "wrong password!", "10.0.0.5");
  auto unknown = accounts_->login("ghost", kPassword, "10.0.0.5");
  auto disabled = accounts_->login("minh", kPassword, "10.0.0.5");
  for (const auto* result : {&bad, &unknown, &disabled}) {
    ASSERT_FALSE(result->isOk());
    EXPECT_EQ(result->status().code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(result->status().message(), kLoginFailedMessage);
  }
  auto failures = entriesWithAction("user.login_failed");
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_NE(failures[0].detail.find("bad_password"), std::string::npos);
  EXPECT_NE(failures[0].detail.find("10.0.0.5"), std::string::npos);
  EXPECT_NE(failures[1].detail.find("unknown_user"), std::string::npos);
  EXPECT_EQ(failures[1].actor, "anonymous");
  EXPECT_NE(failures[2].detail.find("disabled"), std::string::npos);
}

TEST_F(AccountServiceTest, LockoutAfterRepeatedFailuresThenUnlocksWithTime) {
  addLan();
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(accounts_->login("lan", "wrong password!", "x").isOk());
  }
  EXPECT_FALSE(accounts_->find("lan")->locked);
  EXPECT_TRUE(entriesWithAction("user.locked").empty());
  EXPECT_FALSE(accounts_->login("lan", "wrong password!", "x").isOk());  // the fifth
  EXPECT_TRUE(accounts_->find("lan")->locked);
  ASSERT_EQ(entriesWithAction("user.locked").size(), 1u);

  // Locked: even the right password fails, and its owner is told why; a wrong password gets
  // the one message; the audit says "locked".
  EXPECT_EQ(accounts_->login("lan", "not the password", "x").status().message(),
            kLoginFailedMessage);
  auto while_locked = accounts_->login("lan", kPassword, "x");
  ASSERT_FALSE(while_locked.isOk());
  EXPECT_EQ(while_locked.status().message(), kAccountLockedMessage);
  auto failures = entriesWithAction("user.login_failed");
  ASSERT_EQ(failures.size(), 7u);
  EXPECT_NE(failures.back().detail.find("\"locked\""), std::string::npos);

  clock_.advanceMillis(14 * 60 * 1000);
  EXPECT_FALSE(accounts_->login("lan", kPassword, "x").isOk());
  clock_.advanceMillis(60 * 1000 + 1);
  auto after = accounts_->login("lan", kPassword, "x");
  ASSERT_TRUE(after.isOk()) << after.status().toString();
  EXPECT_TRUE(audit_->verify()->intact());
}

TEST_F(AccountServiceTest, SuccessResetsTheFailureCount) {
  addLan();
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(accounts_->login("lan", "wrong password!", "x").isOk());
  ASSERT_TRUE(accounts_->login("lan", kPassword, "x").isOk());
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(accounts_->login("lan", "wrong password!", "x").isOk());
  EXPECT_FALSE(accounts_->find("lan")->locked);
}

TEST_F(AccountServiceTest, ChangePasswordDisableEnable) {
  addLan();
  ASSERT_TRUE(accounts_->changePassword("lan", "một mật khẩu mới", "admin").isOk());
  EXPECT_FALSE(accounts_->login("lan", kPassword, "x").isOk());
  EXPECT_TRUE(accounts_->login("lan", "một mật khẩu mới", "x").isOk());
  EXPECT_TRUE(accounts_->checkCurrentPassword("lan", "một mật khẩu mới").isOk());
  EXPECT_EQ(accounts_->checkCurrentPassword("lan", kPassword).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(accounts_->changePassword("ghost", "một mật khẩu mới", "admin").code(),
            ErrorCode::kNotFound);

  ASSERT_TRUE(accounts_->disable("lan", "admin").isOk());
  EXPECT_TRUE(accounts_->find("lan")->disabled);
  EXPECT_FALSE(accounts_->login("lan", "một mật khẩu mới", "x").isOk());
  ASSERT_TRUE(accounts_->enable("lan", "admin").isOk());
  EXPECT_TRUE(accounts_->login("lan", "một mật khẩu mới", "x").isOk());
  EXPECT_EQ(entriesWithAction("user.passwd").size(), 1u);
  EXPECT_EQ(entriesWithAction("user.disable").size(), 1u);
  EXPECT_EQ(entriesWithAction("user.enable").size(), 1u);
  EXPECT_EQ(entriesWithAction("user.disable")[0].actor, "admin");
}

}  // namespace
}  // namespace cardline

namespace cardline {
namespace {

// A flood of failed logins (guessed names, one source) writes at most the window's budget of
// entries, then one aggregated entry with the count; the chain stays intact.
TEST_F(AccessStoreTest, FailedLoginFloodIsAggregatedInTheAuditTrail) {
  AccountOptions options = fastAccountOptions();
  options.audited_failures_per_window = 5;
  options.failure_window_seconds = 60;
  AccountService accounts(*store_, *audit_, clock_, options);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(accounts.login("ghost" + std::to_string(i), "whatever-password", "10.0.0.9")
                  .status()
                  .code(),
              ErrorCode::kPermissionDenied);
  }
  std::vector<AuditEntry> entries = auditEntries();
  EXPECT_EQ(entries.size(), 5u);
  clock_.advanceMillis(61 * 1000);
  EXPECT_FALSE(accounts.login("ghost-late", "whatever-password", "10.0.0.9").isOk());
  entries = auditEntries();
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[5].action, "user.login_failed_aggregated");
  EXPECT_NE(entries[5].detail.find("\"failures\":45"), std::string::npos) << entries[5].detail;
  EXPECT_NE(entries[5].detail.find("ghost49 from 10.0.0.9"), std::string::npos)
      << entries[5].detail;
  EXPECT_EQ(entries[6].action, "user.login_failed");
  auto verified = audit_->verify();
  ASSERT_TRUE(verified.isOk());
  EXPECT_TRUE(verified->intact()) << verified->message;
}

}  // namespace
}  // namespace cardline
