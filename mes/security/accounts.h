#pragma once
// User accounts over the Store port: add, change password, disable, enable, list, and login
// with lockout. Every change and every login attempt is written to the audit trail, in the same
// transaction as the change it records.
//
// Thread-safe (all state is in the Store). Password hashing runs outside transactions.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"
#include "mes/security/audit_chain.h"
#include "mes/security/password_hash.h"

namespace cardline {

struct AccountOptions {
  PasswordHashOptions hashing;             // iterations for new hashes
  int max_failed_logins = 5;               // failures in a row that lock the account
  std::int64_t lockout_seconds = 15 * 60;  // how long a locked account stays locked
  std::size_t min_password_length = 12;    // in bytes of UTF-8
  // Failed logins written to the audit trail one by one per window; beyond that they are
  // counted and written as one "user.login_failed_aggregated" entry (with the count and the
  // last name and source) by the first failure of the next window, so a flood of guesses
  // cannot flood the trail. Lockout counting is not affected.
  int audited_failures_per_window = 20;
  std::int64_t failure_window_seconds = 60;
};

// What callers may see of an account (never the hash).
struct UserSummary {
  std::string name;
  std::string display_name;
  std::vector<Role> roles;
  bool disabled = false;
  bool locked = false;  // locked_until is in the future
  Timestamp locked_until;
  Timestamp created_at;
};

// The one message of every failed login, whatever the reason (no user enumeration) ...
extern const char kLoginFailedMessage[];
// ... but one: the right password of a locked account, so its owner learns why (only someone
// who knows the password can tell a locked account this way).
extern const char kAccountLockedMessage[];

class AccountService {
 public:
  // `store`, `audit` and `clock` must outlive the service.
  AccountService(Store& store, AuditTrail& audit, const Clock& clock, AccountOptions options = {});

  // Creates an account. `actor` is who does it (a user name, or "system" for the CLI before
  // any account exists). kInvalidArgument for a bad name (1-64 of a-z 0-9 . _ -), an empty
  // display name, no roles, or a password shorter than min_password_length; kAlreadyExists if
  // the name is taken. Audited as "user.add".
  Status addUser(const std::string& name, const std::string& display_name,
                 const std::vector<Role>& roles, const std::string& password,
                 const std::string& actor);

  // Sets a new password and clears failed logins and any lock. Whether `actor` may do this is
  // the caller's check (checkPasswordChange). kInvalidArgument for a short password;
  // kNotFound if there is no such account. Audited as "user.passwd".
  Status changePassword(const std::string& name, const std::string& new_password,
                        const std::string& actor);

  // Disables an account: its logins fail from now on. The caller ends its sessions
  // (SessionTable::endAllFor); callers that check sessions against the store (the HTTP layer
  // does, on every request) see it at once. kNotFound if absent. Audited as "user.disable".
  Status disable(const std::string& name, const std::string& actor);
  // Re-enables an account and clears its lock. kNotFound if absent. Audited as "user.enable".
  Status enable(const std::string& name, const std::string& actor);

  // Every account, by name.
  Result<std::vector<UserSummary>> list();
  // One account. kNotFound if absent.
  Result<UserSummary> find(const std::string& name);

  // Checks a name and password. On success clears the failure count and returns the account
  // (audited "user.login"). Otherwise fails with kPermissionDenied and kLoginFailedMessage,
  // whatever the reason (kAccountLockedMessage for the right password of a locked account); the audit entry "user.login_failed" records the reason (unknown_user,
  // bad_password, disabled, locked), and the failure that reaches max_failed_logins locks the
  // account for lockout_seconds (audited "user.locked"). `source` (for example the client
  // address) goes into the audit detail. Store failures pass through.
  Result<UserSummary> login(const std::string& name, const std::string& password,
                            const std::string& source);

  // Checks a user's current password without counting it as a login (used before a user
  // changes their own password). kPermissionDenied on mismatch or for an unusable account.
  Status checkCurrentPassword(const std::string& name, const std::string& password);

 private:
  Status recordLoginFailure(const std::string& name, const std::string& reason,
                            const std::string& source);
  UserSummary summarize(const User& user) const;

  Store& store_;
  AuditTrail& audit_;
  const Clock& clock_;
  AccountOptions options_;
  std::string dummy_hash_;  // verified against for unknown users, so timing does not tell

  // The failed-login audit budget of the current window (guarded by failures_mu_).
  std::mutex failures_mu_;
  Timestamp window_start_;
  int window_failures_ = 0;
  std::int64_t suppressed_ = 0;
  std::string suppressed_last_;  // "name from source" of the last suppressed failure
};

}  // namespace cardline
