#pragma once
// The in-memory session table of one serve node: 128-bit random session ids, a 128-bit CSRF
// token per session, idle and absolute timeouts measured with a Clock.
//
// Only a SHA-256 of each session id is kept as the key, so a memory dump or a log line of the
// table does not hand out live cookies. Sessions do not survive a restart (users log in
// again). Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

struct SessionOptions {
  std::int64_t idle_timeout_seconds = 15 * 60;          // ended after this long unused
  std::int64_t absolute_timeout_seconds = 8 * 60 * 60;  // ended this long after login
};

struct Session {
  std::string id;          // 32 lower-case hex digits; the cookie value
  std::string csrf_token;  // 32 lower-case hex digits; must come back in X-CSRF-Token
  std::string user;
  std::vector<Role> roles;
  Timestamp created_at;
  Timestamp last_seen;
  Timestamp expires_at;  // the earlier of the idle and the absolute deadline
};

class SessionTable {
 public:
  // `clock` must outlive the table.
  SessionTable(const Clock& clock, SessionOptions options = {});

  // Starts a session for an authenticated user. kInternal if the random generator fails.
  Result<Session> create(const std::string& user, const std::vector<Role>& roles);

  // Looks up a live session by id and marks it used now (the idle deadline moves on).
  // kNotFound ("session expired or unknown") for an unknown id, and for a session past its
  // idle or absolute deadline (which is then removed).
  Result<Session> touch(const std::string& id);
  // Like touch(), but the session is not marked used: for traffic that is not a person's
  // activity (the live event stream a page keeps open), so an unattended screen still idles
  // out.
  Result<Session> peek(const std::string& id);

  // Ends one session; ending an unknown session is not an error. Returns whether one ended.
  bool end(const std::string& id);
  // Ends every session of `user`; returns how many.
  int endAllFor(const std::string& user);
  // Drops expired sessions; returns how many. touch() also drops the ones it finds.
  int sweep();
  // Number of sessions held (live or not yet swept).
  std::size_t size() const;

 private:
  Timestamp deadline(const Session& s) const;

  const Clock& clock_;
  SessionOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Session> by_key_;  // key: hex SHA-256 of the session id
};

// `bytes` random bytes from OpenSSL's generator as lower-case hex. kInternal on failure.
Result<std::string> randomHex(std::size_t bytes);

// Constant-time comparison of two strings (different lengths compare unequal).
bool constantTimeEquals(const std::string& a, const std::string& b);

}  // namespace cardline
