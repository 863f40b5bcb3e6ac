#include "mes/security/audit_chain.h"

#include <openssl/sha.h>

#include <algorithm>
#include <unordered_map>

#include "mes/base/bytes.h"
#include "mes/base/date.h"

namespace cardline {

const char kAuditGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";
const char kAuditSealAction[] = "audit.sealed";

namespace {

void appendField(std::string& out, const std::string& field) {
  out += '|';
  for (char c : field) {
    if (c == '\\' || c == '|') out += '\\';
    out += c;
  }
}

std::string sha256Hex(const std::string& text) {
  Bytes digest(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return hexEncode(digest);
}

}  // namespace

namespace {

std::string canonicalText(const char* version, const AuditEntry& entry) {
  std::string out = version;
  appendField(out, std::to_string(entry.seq));
  appendField(out, formatIsoTimestamp(entry.at));
  appendField(out, entry.actor);
  appendField(out, entry.action);
  appendField(out, entry.subject);
  appendField(out, entry.detail);
  appendField(out, entry.prev_hash);
  return out;
}

}  // namespace

std::string auditCanonicalText(const AuditEntry& entry) {
  return canonicalText("cardline-audit-1", entry);
}

std::string auditKeyedText(const AuditEntry& entry) {
  return canonicalText("cardline-audit-2", entry);
}

Result<std::string> auditEntryMac(const AuditEntry& entry, const AuditKey& key) {
  return key.mac(auditKeyedText(entry));
}

std::string auditEntryHash(const AuditEntry& entry) {
  return sha256Hex(auditCanonicalText(entry));
}

const char* name(AuditProblem problem) {
  switch (problem) {
    case AuditProblem::kNone:
      return "none";
    case AuditProblem::kAltered:
      return "altered";
    case AuditProblem::kRemoved:
      return "removed";
    case AuditProblem::kReordered:
      return "reordered";
    case AuditProblem::kUnsealed:
      return "unsealed";
  }
  return "?";
}

AuditTrail::AuditTrail(Store& store, const Clock& clock, const AuditKey& key,
                       AuditTrailOptions options)
    : store_(store), clock_(clock), key_(key), options_(options) {}

Result<std::int64_t> AuditTrail::append(const std::string& actor, const std::string& action,
                                        const std::string& subject, const std::string& detail) {
  std::lock_guard<std::mutex> lock(append_mu_);
  Status last_status;
  for (int attempt = 0; attempt < std::max(1, options_.append_attempts); ++attempt) {
    std::int64_t seq = 0;
    last_status = store_.transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(seq, appendIn(tx, actor, action, subject, detail));
      return Status::ok();
    });
    if (last_status.isOk()) return seq;
    if (last_status.code() != ErrorCode::kConflict) return last_status;
  }
  return last_status;
}

Result<std::int64_t> AuditTrail::appendIn(StoreTransaction& tx, const std::string& actor,
                                          const std::string& action, const std::string& subject,
                                          const std::string& detail) {
  if (actor.empty() || action.empty()) {
    return invalidArgument("an audit entry needs an actor and an action");
  }
  AuditEntry entry;
  Result<AuditEntry> last = tx.audit().last();
  if (last.isOk()) {
    CARDLINE_ASSIGN_OR_RETURN(std::string last_mac, auditEntryMac(*last, key_));
    if (last_mac != last->hash && auditEntryHash(*last) == last->hash) {
      return failedPrecondition(
          "the newest audit entry (" + std::to_string(last->seq) +
          ") is not sealed with the audit key: the trail predates the key (run cardline audit "
          "seal once to seal it) or was rebuilt without the key (run cardline audit verify)");
    }
    entry.seq = last->seq + 1;
    entry.prev_hash = last->hash;
  } else if (last.status().code() == ErrorCode::kNotFound) {
    entry.seq = 1;
    entry.prev_hash = kAuditGenesisHash;
  } else {
    return last.status();
  }
  entry.at = clock_.now();
  entry.actor = actor;
  entry.action = action;
  entry.subject = subject;
  entry.detail = detail.empty() ? "{}" : detail;
  CARDLINE_ASSIGN_OR_RETURN(entry.hash, auditEntryMac(entry, key_));
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t assigned, tx.audit().append(entry));
  if (assigned == entry.seq) return assigned;
  // The seq counter moved past what we read: either a concurrent writer committed first (our
  // snapshot of the head is stale: retry), or the newest entries were deleted.
  Result<std::vector<AuditEntry>> between = tx.audit().after(entry.seq - 1, 1);
  if (!between.isOk()) return between.status();
  if (!between->empty() && between->front().seq < assigned) {
    return conflict("another writer appended audit entry " +
                    std::to_string(between->front().seq) + " concurrently; retry");
  }
  return dataLoss("the audit log's sequence counter is at " + std::to_string(assigned) +
                  " but the last stored entry is " + std::to_string(entry.seq - 1) +
                  ": entries at the end of the audit log were removed; run cardline audit verify");
}

Result<std::vector<AuditEntry>> AuditTrail::list(std::int64_t after_seq, int limit) {
  if (limit < 1 || limit > 1000) return invalidArgument("limit must be between 1 and 1000");
  std::vector<AuditEntry> entries;
  const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(entries, tx.audit().after(after_seq, limit));
    return Status::ok();
  });
  if (!transacted.isOk()) return transacted;
  return entries;
}

namespace {

bool matches(const AuditQuery& q, const AuditEntry& e) {
  if (!q.actor.empty() && e.actor != q.actor) return false;
  if (!q.action.empty()) {
    const bool prefix = q.action.back() == '.';
    if (prefix ? e.action.compare(0, q.action.size(), q.action) != 0 : e.action != q.action) {
      return false;
    }
  }
  if (!q.subject.empty() && e.subject.find(q.subject) == std::string::npos) return false;
  if (q.from.micros != 0 && e.at < q.from) return false;
  if (q.to.micros != 0 && !(e.at < q.to)) return false;
  return true;
}

}  // namespace

Result<AuditPage> AuditTrail::search(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > 1000) {
    return invalidArgument("limit must be between 1 and 1000");
  }
  const std::int64_t page = std::max(1, options_.page_size);
  AuditPage out;
  const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
    out = AuditPage{};
    std::int64_t before = query.before_seq;
    if (before <= 0) {
      Result<AuditEntry> last = tx.audit().last();
      if (!last.isOk()) {
        if (last.status().code() == ErrorCode::kNotFound) return Status::ok();  // empty log
        return last.status();
      }
      before = last->seq + 1;
    }
    while (before > 1) {
      const std::int64_t after = std::max<std::int64_t>(0, before - 1 - page);
      CARDLINE_ASSIGN_OR_RETURN(auto entries,
                                tx.audit().after(after, static_cast<int>(before - 1 - after)));
      bool older_than_from = false;
      bool read_any = false;
      for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (it->seq >= before) continue;
        before = it->seq;
        read_any = true;
        ++out.scanned;
        if (query.from.micros != 0 && it->at < query.from) {
          older_than_from = true;
          break;
        }
        if (matches(query, *it)) out.entries.push_back(*it);
        if (static_cast<int>(out.entries.size()) >= query.limit) break;
      }
      if (older_than_from) return Status::ok();  // next_before_seq stays 0: nothing older
      if (!read_any) before = after + 1;  // a gap (removed entries): step over it
      if (static_cast<int>(out.entries.size()) >= query.limit ||
          out.scanned >= options_.search_budget) {
        out.next_before_seq = before > 1 ? before : 0;
        return Status::ok();
      }
    }
    return Status::ok();
  });
  if (!transacted.isOk()) return transacted;
  return out;
}

Result<AuditVerification> AuditTrail::verify() {
  // Pass 1: where each stored hash sits, to tell a moved entry from an altered one.
  std::unordered_map<std::string, std::int64_t> position_of_hash;
  std::vector<AuditEntry> all;
  const int page = std::max(1, options_.page_size);
  std::int64_t after = 0;
  while (true) {
    std::vector<AuditEntry> batch;
    const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(batch, tx.audit().after(after, page));
      return Status::ok();
    });
    if (!transacted.isOk()) return transacted;
    if (batch.empty()) break;
    after = batch.back().seq;
    for (auto& entry : batch) {
      position_of_hash.emplace(entry.hash, entry.seq);
      all.push_back(std::move(entry));
    }
    if (static_cast<int>(batch.size()) < page) break;
  }

  AuditVerification report;
  report.key_id = key_.id();
  std::string prev = kAuditGenesisHash;
  std::int64_t expected_seq = 1;
  bool seen_keyed = false;
  auto fail = [&](AuditProblem problem, std::int64_t seq, const std::string& why) {
    report.problem = problem;
    report.first_bad_seq = seq;
    report.message = "audit entry " + std::to_string(seq) + " " + name(problem) + ": " + why;
    report.head_hash = prev;
    return report;
  };
  for (const AuditEntry& entry : all) {
    if (entry.seq != expected_seq) {
      return fail(AuditProblem::kRemoved, expected_seq,
                  "missing (the next stored entry is " + std::to_string(entry.seq) + ")");
    }
    CARDLINE_ASSIGN_OR_RETURN(std::string mac, auditEntryMac(entry, key_));
    const bool keyed = mac == entry.hash;
    const bool plain = !keyed && auditEntryHash(entry) == entry.hash;
    const bool link_ok = entry.prev_hash == prev;
    if (!link_ok) {
      auto found = position_of_hash.find(entry.prev_hash);
      if (found != position_of_hash.end() && found->second >= entry.seq) {
        return fail(AuditProblem::kReordered, entry.seq,
                    "it follows entry " + std::to_string(found->second) +
                        ", which is stored after it");
      }
    }
    if (!keyed && !plain) {
      return fail(AuditProblem::kAltered, entry.seq,
                  seen_keyed ? "its content does not match its keyed hash"
                             : "its content does not match its keyed hash (or the trail was "
                               "sealed with another audit key than " + key_.id() + ")");
    }
    if (plain && seen_keyed) {
      return fail(AuditProblem::kUnsealed, entry.seq,
                  "it carries a plain SHA-256 hash where the audit key's seal is due: it was "
                  "altered, inserted or rebuilt by someone without the key");
    }
    if (!link_ok) {
      if (entry.seq == 1) {
        return fail(AuditProblem::kRemoved, 1, "it does not start the chain: earlier entries "
                                               "were removed");
      }
      return fail(AuditProblem::kAltered, entry.seq - 1,
                  "entry " + std::to_string(entry.seq) +
                      " does not link to it: it was altered and re-hashed, or replaced");
    }
    if (keyed) {
      seen_keyed = true;
    } else {
      ++report.unkeyed_prefix;
    }
    prev = entry.hash;
    ++expected_seq;
    ++report.entries_checked;
  }
  report.head_hash = prev;
  if (!all.empty() && !seen_keyed) {
    report.problem = AuditProblem::kUnsealed;
    report.first_bad_seq = 1;
    report.message =
        "audit entry 1 unsealed: none of the " + std::to_string(report.entries_checked) +
        " entries is sealed with the audit key " + key_.id() +
        ": the trail was rebuilt without the key, or it predates the key and was never sealed "
        "(head " + prev + ")";
    return report;
  }
  report.message = "audit trail intact: " + std::to_string(report.entries_checked) +
                   " entries (" + std::to_string(report.unkeyed_prefix) +
                   " from before the key, sealed), key " + key_.id() + ", head " + prev;
  return report;
}

Result<AuditEntry> AuditTrail::sealUnkeyed(const std::string& actor) {
  CARDLINE_ASSIGN_OR_RETURN(AuditVerification report, verify());
  if (report.intact()) {
    return failedPrecondition(report.entries_checked == 0
                                  ? "the audit trail is empty: nothing to seal"
                                  : "the audit trail is already sealed with the audit key");
  }
  if (report.problem != AuditProblem::kUnsealed || report.first_bad_seq != 1 ||
      report.unkeyed_prefix != report.entries_checked) {
    return dataLoss("the audit trail cannot be sealed: " + report.message);
  }
  std::lock_guard<std::mutex> lock(append_mu_);
  AuditEntry entry;
  const Status transacted = store_.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(AuditEntry last, tx.audit().last());
    if (last.seq != report.entries_checked || last.hash != report.head_hash) {
      return conflict("the audit trail changed while it was being sealed; try again");
    }
    entry.seq = last.seq + 1;
    entry.prev_hash = last.hash;
    entry.at = clock_.now();
    entry.actor = actor;
    entry.action = kAuditSealAction;
    entry.subject = "audit";
    entry.detail = "{\"sealed_seq\":" + std::to_string(last.seq) + ",\"sealed_head\":" +
                   jsonQuote(last.hash) + ",\"key_id\":" + jsonQuote(key_.id()) + "}";
    CARDLINE_ASSIGN_OR_RETURN(entry.hash, auditEntryMac(entry, key_));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t assigned, tx.audit().append(entry));
    if (assigned != entry.seq) {
      return conflict("the audit log's sequence counter is at " + std::to_string(assigned) +
                      ", not " + std::to_string(entry.seq) + "; run cardline audit verify");
    }
    return Status::ok();
  });
  if (!transacted.isOk()) return transacted;
  return entry;
}

}  // namespace cardline
