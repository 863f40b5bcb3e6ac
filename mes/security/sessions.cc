#include "mes/security/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>

#include "mes/base/bytes.h"

namespace cardline {
namespace {

constexpr std::size_t kTokenBytes = 16;  // 128 bits

std::string keyOf(const std::string& id) {
  Bytes digest(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), digest.data());
  return hexEncode(digest);
}

}  // namespace

Result<std::string> randomHex(std::size_t bytes) {
  Bytes buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    return internalError("RAND_bytes failed");
  }
  return hexEncode(buffer);
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionTable::SessionTable(const Clock& clock, SessionOptions options)
    : clock_(clock), options_(options) {}

Timestamp SessionTable::deadline(const Session& s) const {
  return std::min(s.last_seen.plusSeconds(options_.idle_timeout_seconds),
                  s.created_at.plusSeconds(options_.absolute_timeout_seconds));
}

Result<Session> SessionTable::create(const std::string& user, const std::vector<Role>& roles) {
  CARDLINE_ASSIGN_OR_RETURN(std::string id, randomHex(kTokenBytes));
  CARDLINE_ASSIGN_OR_RETURN(std::string csrf, randomHex(kTokenBytes));
  Session session;
  session.id = std::move(id);
  session.csrf_token = std::move(csrf);
  session.user = user;
  session.roles = roles;
  session.created_at = clock_.now();
  session.last_seen = session.created_at;
  session.expires_at = deadline(session);
  std::lock_guard<std::mutex> lock(mu_);
  by_key_[keyOf(session.id)] = session;
  return session;
}

Result<Session> SessionTable::peek(const std::string& id) {
  const std::string key = keyOf(id);
  const Timestamp now = clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return notFound("session expired or unknown");
  if (now >= deadline(found->second)) {
    by_key_.erase(found);
    return notFound("session expired or unknown");
  }
  return found->second;
}

Result<Session> SessionTable::touch(const std::string& id) {
  const std::string key = keyOf(id);
  const Timestamp now = clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return notFound("session expired or unknown");
  if (now >= deadline(found->second)) {
    by_key_.erase(found);
    return notFound("session expired or unknown");
  }
  found->second.last_seen = now;
  found->second.expires_at = deadline(found->second);
  return found->second;
}

bool SessionTable::end(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return by_key_.erase(keyOf(id)) > 0;
}

int SessionTable::endAllFor(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  int ended = 0;
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    if (it->second.user == user) {
      it = by_key_.erase(it);
      ++ended;
    } else {
      ++it;
    }
  }
  return ended;
}

int SessionTable::sweep() {
  const Timestamp now = clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  int dropped = 0;
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    if (now >= deadline(it->second)) {
      it = by_key_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

std::size_t SessionTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_key_.size();
}

}  // namespace cardline
