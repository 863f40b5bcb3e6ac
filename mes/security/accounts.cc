#include "mes/security/accounts.h"

#include <utility>

namespace cardline {

const char kLoginFailedMessage[] = "invalid name or password";
const char kAccountLockedMessage[] =
    "the account is locked after too many failed logins; try again later";

namespace {

Status validateName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return invalidArgument("a user name has 1 to 64 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '-';
    if (!ok) {
      return invalidArgument("user name \"" + name +
                             "\" may contain only a-z, 0-9, '.', '_' and '-'");
    }
  }
  return Status::ok();
}

std::string rolesJson(const std::vector<Role>& roles) {
  std::string out = "[";
  for (Role role : roles) {
    if (out.size() > 1) out += ",";
    out += jsonQuote(name(role));
  }
  return out + "]";
}

}  // namespace

AccountService::AccountService(Store& store, AuditTrail& audit, const Clock& clock,
                               AccountOptions options)
    : store_(store), audit_(audit), clock_(clock), options_(options) {
  // A well-formed hash of a random-looking constant at the configured cost, so that a login
  // for an unknown name takes as long as one for a known name.
  Result<std::string> dummy = hashPassword("cardline-no-such-user", options_.hashing);
  if (dummy.isOk()) dummy_hash_ = std::move(dummy).value();
}

UserSummary AccountService::summarize(const User& user) const {
  UserSummary s;
  s.name = user.name;
  s.display_name = user.display_name;
  s.roles = user.roles;
  s.disabled = user.disabled;
  s.locked_until = user.locked_until;
  s.locked = user.locked_until > clock_.now();
  s.created_at = user.created_at;
  return s;
}

Status AccountService::addUser(const std::string& name, const std::string& display_name,
                               const std::vector<Role>& roles, const std::string& password,
                               const std::string& actor) {
  CARDLINE_RETURN_IF_ERROR(validateName(name));
  if (display_name.empty()) return invalidArgument("the display name is empty");
  if (roles.empty()) return invalidArgument("an account needs at least one role");
  if (password.size() < options_.min_password_length) {
    return invalidArgument("a password has at least " +
                           std::to_string(options_.min_password_length) + " characters");
  }
  CARDLINE_ASSIGN_OR_RETURN(std::string hash, hashPassword(password, options_.hashing));
  User user;
  user.name = name;
  user.display_name = display_name;
  user.roles = roles;
  user.password_hash = std::move(hash);
  user.created_at = clock_.now();
  return store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_RETURN_IF_ERROR(tx.users().insert(user));
    return audit_
        .appendIn(tx, actor, "user.add", "user:" + name,
                  "{\"display_name\":" + jsonQuote(display_name) + ",\"roles\":" +
                      rolesJson(roles) + "}")
        .status();
  });
}

Status AccountService::changePassword(const std::string& name, const std::string& new_password,
                                      const std::string& actor) {
  if (new_password.size() < options_.min_password_length) {
    return invalidArgument("a password has at least " +
                           std::to_string(options_.min_password_length) + " characters");
  }
  CARDLINE_ASSIGN_OR_RETURN(std::string hash, hashPassword(new_password, options_.hashing));
  return store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(User user, tx.users().find(name));
    user.password_hash = hash;
    user.failed_logins = 0;
    user.locked_until = Timestamp{};
    CARDLINE_RETURN_IF_ERROR(tx.users().update(user));
    return audit_.appendIn(tx, actor, "user.passwd", "user:" + name, "{}").status();
  });
}

Status AccountService::disable(const std::string& name, const std::string& actor) {
  return store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(User user, tx.users().find(name));
    user.disabled = true;
    CARDLINE_RETURN_IF_ERROR(tx.users().update(user));
    return audit_.appendIn(tx, actor, "user.disable", "user:" + name, "{}").status();
  });
}

Status AccountService::enable(const std::string& name, const std::string& actor) {
  return store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(User user, tx.users().find(name));
    user.disabled = false;
    user.failed_logins = 0;
    user.locked_until = Timestamp{};
    CARDLINE_RETURN_IF_ERROR(tx.users().update(user));
    return audit_.appendIn(tx, actor, "user.enable", "user:" + name, "{}").status();
  });
}

Result<std::vector<UserSummary>> AccountService::list() {
  std::vector<User> users;
  const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(users, tx.users().list());
    return Status::ok();
  });
  if (!transacted.isOk()) return transacted;
  std::vector<UserSummary> out;
  out.reserve(users.size());
  for (const User& user : users) out.push_back(summarize(user));
  return out;
}

Result<UserSummary> AccountService::find(const std::string& name) {
  User user;
  const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(user, tx.users().find(name));
    return Status::ok();
  });
  if (!transacted.isOk()) return transacted;
  return summarize(user);
}

Status AccountService::recordLoginFailure(const std::string& name, const std::string& reason,
                                          const std::string& source) {
  const Timestamp now = clock_.now();
  // The audit budget: within a window, the first audited_failures_per_window failures are
  // written one by one; the rest are counted and summarised at the next window's first.
  bool write_entry = true;
  std::int64_t summarised = 0;
  std::string summarised_last;
  {
    std::lock_guard<std::mutex> lock(failures_mu_);
    if (window_failures_ == 0 ||
        now.micros - window_start_.micros >= options_.failure_window_seconds * 1000000) {
      summarised = suppressed_;
      summarised_last = suppressed_last_;
      window_start_ = now;
      window_failures_ = 0;
      suppressed_ = 0;
    }
    if (++window_failures_ > options_.audited_failures_per_window) {
      write_entry = false;
      ++suppressed_;
      suppressed_last_ = name + " from " + source;
    }
  }
  return store_.transact([&](StoreTransaction& tx) -> Status {
    const std::string detail =
        "{\"reason\":" + jsonQuote(reason) + ",\"source\":" + jsonQuote(source) + "}";
    if (summarised > 0) {
      CARDLINE_RETURN_IF_ERROR(
          audit_
              .appendIn(tx, "system", "user.login_failed_aggregated", "users",
                        "{\"failures\":" + std::to_string(summarised) + ",\"last\":" +
                            jsonQuote(summarised_last) + "}")
              .status());
    }
    Result<User> found = tx.users().find(name);
    if (!found.isOk()) {
      if (found.status().code() != ErrorCode::kNotFound) return found.status();
      if (!write_entry) return Status::ok();
      return audit_.appendIn(tx, "anonymous", "user.login_failed", "user:" + name, detail)
          .status();
    }
    User user = std::move(found).value();
    if (write_entry) {
      CARDLINE_RETURN_IF_ERROR(
          audit_.appendIn(tx, name, "user.login_failed", "user:" + name, detail).status());
    }
    if (reason != "bad_password") return Status::ok();  // disabled/locked: nothing to count
    user.failed_logins += 1;
    if (user.failed_logins >= options_.max_failed_logins) {
      user.locked_until = now.plusSeconds(options_.lockout_seconds);
      CARDLINE_RETURN_IF_ERROR(
          audit_
              .appendIn(tx, "system", "user.locked", "user:" + name,
                        "{\"failed_logins\":" + std::to_string(user.failed_logins) +
                            ",\"locked_until\":" + jsonQuote(formatIsoTimestamp(user.locked_until)) +
                            "}")
              .status());
      user.failed_logins = 0;
    }
    return tx.users().update(user);
  });
}

Result<UserSummary> AccountService::login(const std::string& name, const std::string& password,
                                          const std::string& source) {
  Result<User> found = notFound("not read");
  const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
    found = tx.users().find(name);
    if (!found.isOk() && found.status().code() != ErrorCode::kNotFound) return found.status();
    return Status::ok();
  });
  if (!transacted.isOk()) return transacted;

  std::string reason;
  if (!found.isOk()) {
    (void)verifyPassword(password, dummy_hash_);  // same cost as a real check
    reason = "unknown_user";
  } else if (found->disabled) {
    (void)verifyPassword(password, dummy_hash_);
    reason = "disabled";
  } else if (found->locked_until > clock_.now()) {
    Result<PasswordMatch> match = verifyPassword(password, found->password_hash);
    reason = "locked";
    if (match.isOk() && *match == PasswordMatch::kMatch) {
      CARDLINE_RETURN_IF_ERROR(recordLoginFailure(name, reason, source));
      return permissionDenied(kAccountLockedMessage);
    }
  } else {
    Result<PasswordMatch> match = verifyPassword(password, found->password_hash);
    if (!match.isOk()) {
      reason = "unusable_hash";
    } else if (*match == PasswordMatch::kMismatch) {
      reason = "bad_password";
    }
  }
  if (!reason.empty()) {
    CARDLINE_RETURN_IF_ERROR(recordLoginFailure(name, reason, source));
    return permissionDenied(kLoginFailedMessage);
  }

  User user;
  const Status committed = store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(user, tx.users().find(name));
    if (user.disabled) return permissionDenied(kLoginFailedMessage);  // disabled meanwhile
    user.failed_logins = 0;
    user.locked_until = Timestamp{};
    CARDLINE_RETURN_IF_ERROR(tx.users().update(user));
    return audit_
        .appendIn(tx, name, "user.login", "user:" + name,
                  "{\"source\":" + jsonQuote(source) + "}")
        .status();
  });
  if (!committed.isOk()) return committed;
  return summarize(user);
}

Status AccountService::checkCurrentPassword(const std::string& name,
                                            const std::string& password) {
  User user;
  const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(user, tx.users().find(name));
    return Status::ok();
  });
  if (!transacted.isOk()) return transacted;
  if (user.disabled) return permissionDenied("the account is disabled");
  CARDLINE_ASSIGN_OR_RETURN(PasswordMatch match, verifyPassword(password, user.password_hash));
  if (match != PasswordMatch::kMatch) return permissionDenied("the current password is wrong");
  return Status::ok();
}

}  // namespace cardline
