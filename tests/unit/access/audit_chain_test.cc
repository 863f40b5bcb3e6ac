#include "mes/security/audit_chain.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "tests/unit/access/access_fixture.h"

namespace cardline {
namespace {

class AuditChainTest : public AccessStoreTest {
 protected:
  // Appends entries 1..n with distinct content.
  void appendEntries(int n) {
    for (int i = 1; i <= n; ++i) {
      clock_.advanceMillis(1000);
      auto seq = audit_->append(i % 2 == 0 ? "lan" : "device:print-01", "application.hold",
                                "application:A" + std::to_string(i),
                                "{\"reason\":\"lý do " + std::to_string(i) + "\"}");
      ASSERT_TRUE(seq.isOk()) << seq.status().toString();
      ASSERT_EQ(*seq, i);
    }
  }

  // What someone with write access to the database but without the key can do: recompute
  // the plain SHA-256 chain from entry `from` on (after changing entries), linking each to
  // the one before.
  void rehashPlainFrom(std::int64_t from, std::int64_t until = INT64_MAX) {
    auto entries = auditEntries();
    std::string prev = from == 1 ? kAuditGenesisHash : entries[from - 2].hash;
    for (auto& entry : entries) {
      if (entry.seq < from || entry.seq > until) continue;
      entry.prev_hash = prev;
      entry.hash = auditEntryHash(entry);
      executeSql("UPDATE audit_entries SET prev_hash = '" + entry.prev_hash + "', hash = '" +
                 entry.hash + "' WHERE seq = " + std::to_string(entry.seq));
      prev = entry.hash;
    }
  }

  // Stores entries 1..n as the trail did before the key: plain SHA-256, chained.
  void storeUnkeyedEntries(int n) {
    std::string prev = kAuditGenesisHash;
    for (int i = 1; i <= n; ++i) {
      clock_.advanceMillis(1000);
      AuditEntry entry;
      entry.seq = i;
      entry.at = clock_.now();
      entry.actor = "system";
      entry.action = "user.add";
      entry.subject = "user:u" + std::to_string(i);
      entry.detail = "{}";
      entry.prev_hash = prev;
      entry.hash = auditEntryHash(entry);
      Status stored = store_->transact([&](StoreTransaction& tx) -> Status {
        return tx.audit().append(entry).status();
      });
      ASSERT_TRUE(stored.isOk()) << stored.toString();
      prev = entry.hash;
    }
  }

  AuditVerification verified() {
    auto report = audit_->verify();
    EXPECT_TRUE(report.isOk()) << report.status().toString();
    return report.isOk() ? *report : AuditVerification{};
  }
};

TEST_F(AuditChainTest, EmptyLogIsIntact) {
  auto report = verified();
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.entries_checked, 0);
  EXPECT_EQ(report.head_hash, kAuditGenesisHash);
}

TEST_F(AuditChainTest, AppendChainsEntries) {
  appendEntries(5);
  auto entries = auditEntries();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].prev_hash, kAuditGenesisHash);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].seq, static_cast<std::int64_t>(i + 1));
    auto mac = auditEntryMac(entries[i], *audit_key_);
    ASSERT_TRUE(mac.isOk());
    EXPECT_EQ(entries[i].hash, *mac);
    EXPECT_NE(entries[i].hash, auditEntryHash(entries[i]));  // keyed, not plain SHA-256
    EXPECT_EQ(entries[i].hash.size(), 64u);
    if (i > 0) {
      EXPECT_EQ(entries[i].prev_hash, entries[i - 1].hash);
    }
  }
  auto report = verified();
  EXPECT_TRUE(report.intact()) << report.message;
  EXPECT_EQ(report.entries_checked, 5);
  EXPECT_EQ(report.head_hash, entries[4].hash);
}

std::vector<std::int64_t> seqsOf(const AuditPage& page) {
  std::vector<std::int64_t> seqs;
  for (const AuditEntry& e : page.entries) seqs.push_back(e.seq);
  return seqs;
}

TEST_F(AuditChainTest, SearchReadsNewestFirstAndPagesOn) {
  appendEntries(7);
  AuditQuery query;
  query.limit = 3;
  auto first = audit_->search(query);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_EQ(seqsOf(*first), (std::vector<std::int64_t>{7, 6, 5}));
  EXPECT_EQ(first->next_before_seq, 5);
  query.before_seq = first->next_before_seq;
  auto second = audit_->search(query);
  ASSERT_TRUE(second.isOk());
  EXPECT_EQ(seqsOf(*second), (std::vector<std::int64_t>{4, 3, 2}));
  query.before_seq = second->next_before_seq;
  auto last = audit_->search(query);
  ASSERT_TRUE(last.isOk());
  EXPECT_EQ(seqsOf(*last), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(last->next_before_seq, 0);  // nothing older
}

TEST_F(AuditChainTest, SearchFiltersByActorActionSubjectAndTime) {
  appendEntries(6);  // even seqs by "lan", odd by "device:print-01"; one second apart
  ASSERT_TRUE(audit_->append("lan", "user.login", "user:lan", "{}").isOk());  // seq 7
  AuditQuery by_actor;
  by_actor.actor = "lan";
  auto actor = audit_->search(by_actor);
  ASSERT_TRUE(actor.isOk());
  EXPECT_EQ(seqsOf(*actor), (std::vector<std::int64_t>{7, 6, 4, 2}));

  AuditQuery by_action;
  by_action.action = "application.hold";
  EXPECT_EQ(seqsOf(*audit_->search(by_action)), (std::vector<std::int64_t>{6, 5, 4, 3, 2, 1}));
  by_action.action = "user.";  // a group: the prefix
  EXPECT_EQ(seqsOf(*audit_->search(by_action)), (std::vector<std::int64_t>{7}));
  by_action.action = "user";  // not a prefix match without the dot
  EXPECT_TRUE(audit_->search(by_action)->entries.empty());

  AuditQuery by_subject;
  by_subject.subject = "A3";
  EXPECT_EQ(seqsOf(*audit_->search(by_subject)), (std::vector<std::int64_t>{3}));

  const auto all = auditEntries();
  AuditQuery by_time;
  by_time.from = all[2].at;  // seq 3 on
  by_time.to = all[4].at;    // before seq 5
  auto window = audit_->search(by_time);
  ASSERT_TRUE(window.isOk());
  EXPECT_EQ(seqsOf(*window), (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(window->next_before_seq, 0);  // stopped at the first entry older than `from`
  EXPECT_LE(window->scanned, 6);
}

TEST_F(AuditChainTest, SearchOfAnEmptyLogAndBadLimits) {
  auto empty = audit_->search(AuditQuery{});
  ASSERT_TRUE(empty.isOk());
  EXPECT_TRUE(empty->entries.empty());
  EXPECT_EQ(empty->next_before_seq, 0);
  AuditQuery bad;
  bad.limit = 0;
  EXPECT_EQ(audit_->search(bad).status().code(), ErrorCode::kInvalidArgument);
  bad.limit = 1001;
  EXPECT_EQ(audit_->search(bad).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(AuditChainTest, CanonicalTextCannotBeForgedWithSeparators) {
  AuditEntry a;
  a.actor = "lan|x";
  a.action = "y";
  AuditEntry b;
  b.actor = "lan";
  b.action = "x|y";
  EXPECT_NE(auditCanonicalText(a), auditCanonicalText(b));
  EXPECT_NE(auditEntryHash(a), auditEntryHash(b));
  AuditEntry c;
  c.actor = "lan\\";
  c.action = "|y";
  AuditEntry d;
  d.actor = "lan\\|";
  d.action = "y";
  EXPECT_NE(auditCanonicalText(c), auditCanonicalText(d));
}

TEST_F(AuditChainTest, AlteredDetailIsNamed) {
  appendEntries(5);
  executeSql("UPDATE audit_entries SET detail = '{\"reason\":\"forged\"}' WHERE seq = 2");
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kAltered) << report.message;
  EXPECT_EQ(report.first_bad_seq, 2);
  EXPECT_EQ(report.entries_checked, 1);
}

TEST_F(AuditChainTest, AlteredAndRehashedEntryIsNamed) {
  appendEntries(5);
  auto entries = auditEntries();
  AuditEntry forged = entries[1];
  forged.actor = "someone-else";
  forged.hash = auditEntryMac(forged, *audit_key_).value();  // even with the key
  executeSql("UPDATE audit_entries SET actor = 'someone-else', hash = '" + forged.hash +
             "' WHERE seq = 2");
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kAltered) << report.message;
  EXPECT_EQ(report.first_bad_seq, 2);
}

TEST_F(AuditChainTest, RemovedEntryIsNamed) {
  appendEntries(5);
  executeSql("DELETE FROM audit_entries WHERE seq = 3");
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kRemoved) << report.message;
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_NE(report.message.find("entry 3"), std::string::npos) << report.message;
}

TEST_F(AuditChainTest, RemovedFirstEntryIsNamed) {
  appendEntries(3);
  executeSql("DELETE FROM audit_entries WHERE seq = 1");
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kRemoved) << report.message;
  EXPECT_EQ(report.first_bad_seq, 1);
}

TEST_F(AuditChainTest, SwappedEntriesAreNamedAsReordered) {
  appendEntries(5);
  // Swap the content of rows 3 and 4 (everything but their seq).
  executeSql("UPDATE audit_entries SET seq = -4 WHERE seq = 4");
  executeSql("UPDATE audit_entries SET seq = 4 WHERE seq = 3");
  executeSql("UPDATE audit_entries SET seq = 3 WHERE seq = -4");
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kReordered) << report.message;
  EXPECT_EQ(report.first_bad_seq, 3);
}

TEST_F(AuditChainTest, RemovedTailIsCaughtAtTheNextAppend) {
  appendEntries(4);
  executeSql("DELETE FROM audit_entries WHERE seq = 4");
  EXPECT_TRUE(verified().intact());  // a shorter chain is a valid chain ...
  auto next = audit_->append("lan", "user.passwd", "user:lan", "{}");
  ASSERT_FALSE(next.isOk());  // ... but the store's counter knows better
  EXPECT_EQ(next.status().code(), ErrorCode::kDataLoss) << next.status().toString();
  EXPECT_EQ(auditEntries().size(), 3u);
}

TEST_F(AuditChainTest, VerifyPagesThroughLongLogs) {
  AuditTrailOptions options;
  options.page_size = 2;
  AuditTrail small_pages(*store_, clock_, *audit_key_, options);
  appendEntries(7);
  executeSql("UPDATE audit_entries SET subject = 'application:X' WHERE seq = 6");
  auto report = small_pages.verify();
  ASSERT_TRUE(report.isOk());
  EXPECT_EQ(report->problem, AuditProblem::kAltered);
  EXPECT_EQ(report->first_bad_seq, 6);
}

TEST_F(AuditChainTest, AppendInRollsBackWithTheCallersTransaction) {
  appendEntries(1);
  Status failed = store_->transact([&](StoreTransaction& tx) -> Status {
    auto seq = audit_->appendIn(tx, "lan", "application.hold", "application:A9", "{}");
    EXPECT_TRUE(seq.isOk());
    return conflict("the change it records failed");
  });
  EXPECT_EQ(failed.code(), ErrorCode::kConflict);
  auto seq = audit_->append("lan", "application.hold", "application:A9", "{}");
  ASSERT_TRUE(seq.isOk()) << seq.status().toString();
  EXPECT_EQ(*seq, 2);
  EXPECT_TRUE(verified().intact());
  EXPECT_EQ(audit_->append("", "x", "y", "{}").status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(AuditChainTest, AlteredEntryWithThePlainChainRecomputedIsNamed) {
  appendEntries(6);
  executeSql("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 3");
  rehashPlainFrom(3);
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kUnsealed) << report.message;
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_NE(report.message.find("audit entry 3 "), std::string::npos) << report.message;
}

TEST_F(AuditChainTest, RemovedEntryWithThePlainChainRecomputedIsNamed) {
  appendEntries(5);
  executeSql("DELETE FROM audit_entries WHERE seq = 3");
  executeSql("UPDATE audit_entries SET seq = seq - 1 WHERE seq > 3");
  rehashPlainFrom(3);
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kUnsealed) << report.message;
  EXPECT_EQ(report.first_bad_seq, 3);
}

TEST_F(AuditChainTest, TrailRebuiltWithoutTheKeyIsNamed) {
  appendEntries(4);
  rehashPlainFrom(1);
  auto report = verified();
  EXPECT_EQ(report.problem, AuditProblem::kUnsealed) << report.message;
  EXPECT_EQ(report.first_bad_seq, 1);
  EXPECT_EQ(report.unkeyed_prefix, 4);
  // ... and nothing is appended onto it until someone looks.
  auto next = audit_->append("lan", "user.passwd", "user:lan", "{}");
  EXPECT_EQ(next.status().code(), ErrorCode::kFailedPrecondition) << next.status().toString();
}

TEST_F(AuditChainTest, AnotherKeyDoesNotVerify) {
  appendEntries(3);
  auto other = HmacAuditKey::create(Bytes(32, 0x11));
  ASSERT_TRUE(other.isOk());
  EXPECT_NE((*other)->id(), audit_key_->id());
  AuditTrail with_other_key(*store_, clock_, **other);
  auto report = with_other_key.verify();
  ASSERT_TRUE(report.isOk());
  EXPECT_EQ(report->problem, AuditProblem::kAltered) << report->message;
  EXPECT_EQ(report->first_bad_seq, 1);
  EXPECT_NE(report->message.find("another audit key"), std::string::npos) << report->message;
}

TEST_F(AuditChainTest, UnkeyedTrailIsSealedByACheckpointOnce) {
  storeUnkeyedEntries(3);
  const std::string old_head = auditEntries().back().hash;
  auto before = verified();
  EXPECT_EQ(before.problem, AuditProblem::kUnsealed) << before.message;
  EXPECT_EQ(before.first_bad_seq, 1);
  EXPECT_EQ(audit_->append("lan", "user.passwd", "user:lan", "{}").status().code(),
            ErrorCode::kFailedPrecondition);

  auto sealed = audit_->sealUnkeyed("system");
  ASSERT_TRUE(sealed.isOk()) << sealed.status().toString();
  EXPECT_EQ(sealed->seq, 4);
  EXPECT_EQ(sealed->action, kAuditSealAction);
  EXPECT_EQ(sealed->prev_hash, old_head);
  EXPECT_NE(sealed->detail.find("\"sealed_seq\":3"), std::string::npos) << sealed->detail;
  EXPECT_NE(sealed->detail.find(old_head), std::string::npos) << sealed->detail;
  EXPECT_NE(sealed->detail.find(audit_key_->id()), std::string::npos) << sealed->detail;

  auto next = audit_->append("lan", "user.passwd", "user:lan", "{}");
  ASSERT_TRUE(next.isOk()) << next.status().toString();
  EXPECT_EQ(*next, 5);
  auto after = verified();
  EXPECT_TRUE(after.intact()) << after.message;
  EXPECT_EQ(after.entries_checked, 5);
  EXPECT_EQ(after.unkeyed_prefix, 3);
  EXPECT_EQ(audit_->sealUnkeyed("system").status().code(), ErrorCode::kFailedPrecondition);

  // The old entries are now covered by the key: rewriting one of them and the old plain chain
  // up to the checkpoint leaves the checkpoint linking to the old head ...
  executeSql("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 2");
  rehashPlainFrom(2, 3);
  auto rewritten = verified();
  EXPECT_EQ(rewritten.problem, AuditProblem::kAltered) << rewritten.message;
  EXPECT_EQ(rewritten.first_bad_seq, 3) << rewritten.message;
  // ... and rewriting the keyed entries too leaves no keyed entry at all.
  rehashPlainFrom(2);
  auto rebuilt = verified();
  EXPECT_EQ(rebuilt.problem, AuditProblem::kUnsealed) << rebuilt.message;
}

TEST_F(AuditChainTest, SealRefusesABrokenOrEmptyTrail) {
  EXPECT_EQ(audit_->sealUnkeyed("system").status().code(), ErrorCode::kFailedPrecondition);
  storeUnkeyedEntries(3);
  executeSql("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 2");
  auto sealed = audit_->sealUnkeyed("system");
  EXPECT_EQ(sealed.status().code(), ErrorCode::kDataLoss) << sealed.status().toString();
  EXPECT_NE(sealed.status().message().find("audit entry 2"), std::string::npos)
      << sealed.status().toString();
}

}  // namespace
}  // namespace cardline
