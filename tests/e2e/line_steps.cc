#include "tests/e2e/line_steps.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/blanks/blank_stock.h"
#include "mes/security/key_file.h"

namespace cardline::e2e {

const std::vector<std::string> kStations = {"print", "encode", "qa", "dispatch"};

std::vector<std::string> deviceOptions(const std::string& station, int seed) {
  std::vector<std::string> options = {"--latency-ms", "20", "--seed", std::to_string(seed)};
  if (station == "qa") {
    options.push_back("--defect-rate");
    options.push_back("0.1");
  }
  return options;
}

std::string failures(const std::vector<std::string>& problems) {
  std::string text;
  for (std::size_t i = 0; i < problems.size() && i < 30; ++i) text += "\n  " + problems[i];
  if (problems.size() > 30) text += "\n  ... " + std::to_string(problems.size() - 30) + " more";
  return text;
}

std::string lastLog(const ChildProcess& process) {
  const std::string log = process.log();
  return log.size() <= 4000 ? log : "..." + log.substr(log.size() - 4000);
}

void prepareLine(LineSettings* line, const std::string& root, const NodeSetup& first,
                 int applications) {
  if (line->backend == Backend::kMysql) {
    Status dropped = dropAllTables(*line->mysql);
    ASSERT_TRUE(dropped.isOk()) << dropped.toString();
  }
  auto key = generateKeyFile(line->pii_key_file);
  ASSERT_TRUE(key.isOk()) << key.status().toString();
  auto audit_key = generateKeyFile(auditKeyFile(*line));
  ASSERT_TRUE(audit_key.isOk()) << audit_key.status().toString();
  Status migrated = runCardline(first, {"migrate"}, "migrate");
  ASSERT_TRUE(migrated.isOk()) << migrated.toString();
  const std::string backlog = root + "/applications.jsonl";
  auto generated = runToCompletion({cardlineBinary(), "generate", "--count",
                                    std::to_string(applications), "--seed", "42", "--out",
                                    backlog},
                                   root + "/generate.log");
  ASSERT_TRUE(generated.isOk()) << generated.status().toString();
  ASSERT_EQ(*generated, 0) << "cardline generate failed, see " << root << "/generate.log";
  Status imported = runCardline(first, {"import", backlog}, "import");
  ASSERT_TRUE(imported.isOk()) << imported.toString();
}

void initPki(const NodeSetup& node) {
  Status pki = runCardline(node, {"pki", "init"}, "pki-init");
  ASSERT_TRUE(pki.isOk()) << pki.toString();
}

void enrollDevices(const NodeSetup& node, const std::string& prefix,
                   const std::string& key_dir) {
  for (const std::string& station : kStations) {
    Status enrolled = enrollDevice(node, prefix + "-" + station, station, key_dir);
    ASSERT_TRUE(enrolled.isOk()) << enrolled.toString();
  }
}

void startDevices(NodeUnderTest* node, const std::string& prefix, const std::string& key_dir,
                  int seed) {
  for (const std::string& station : kStations) {
    const std::string id = prefix + "-" + station;
    auto device = startDevice(node->serve, id, station, key_dir, deviceOptions(station, seed),
                              node->setup.data_dir + "/" + id + ".log");
    ASSERT_TRUE(device.isOk()) << device.status().toString();
    node->devices.push_back(std::move(device).value());
  }
}

void expectSignerOnEncodedCards(const LineSnapshot& snapshot) {
  int checked = 0;
  for (const auto& [id, cards] : snapshot.cards) {
    for (const Card& card : cards) {
      if (card.state != CardState::kGood && card.state != CardState::kDispatched &&
          card.state != CardState::kDelivered) {
        continue;
      }
      ++checked;
      EXPECT_EQ(card.signer_id.rfind("ds-", 0), 0u)
          << "card " << card.serial << " of " << id << " has signer \"" << card.signer_id
          << "\"";
    }
  }
  EXPECT_GT(checked, 0);
}

LineSnapshot waitFor(Store& store, const std::function<bool(const LineSnapshot&)>& done,
                     const std::string& what) {
  LineSnapshot last;
  Status last_error;
  const bool reached = pollUntil(
      [&] {
        auto snapshot = readSnapshot(store);
        if (!snapshot.isOk()) {
          last_error = snapshot.status();  // e.g. busy while a node commits: read again
          return false;
        }
        last = std::move(snapshot).value();
        return done(last);
      },
      kDeadline, std::chrono::milliseconds(200));
  EXPECT_TRUE(reached) << "timed out waiting for " << what << ": " << countFinal(last) << " of "
                       << last.applications.size() << " applications final; last read error: "
                       << last_error.toString();
  return last;
}

void expectNothingLeased(Store& store) {
  Status read = store.transact([&](StoreTransaction& tx) -> Status {
    for (StationType station : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                                StationType::kDispatch}) {
      for (JobState state : {JobState::kReady, JobState::kLeased}) {
        CARDLINE_ASSIGN_OR_RETURN(std::int64_t n, tx.jobs().count(station, state));
        EXPECT_EQ(n, 0) << n << " " << name(station) << " job(s) still " << name(state);
      }
    }
    return Status::ok();
  });
  EXPECT_TRUE(read.isOk()) << read.toString();
}


void expectFinishedBy(Store& store, const LineSnapshot& after, const std::vector<StationJob>& held,
                      const std::string& by_prefix, bool new_attempt) {
  const auto finished_by = completedJobs(after);
  auto jobs = allJobs(store, after);
  ASSERT_TRUE(jobs.isOk()) << jobs.status().toString();
  for (const StationJob& before : held) {
    const auto job = std::find_if(jobs->begin(), jobs->end(),
                                  [&](const StationJob& j) { return j.id == before.id; });
    ASSERT_NE(job, jobs->end()) << "job " << before.id;
    EXPECT_EQ(job->state, JobState::kDone) << "job " << before.id;
    if (new_attempt) {
      EXPECT_GT(job->attempt, before.attempt) << "job " << before.id
                                              << " was not handed out again";
    }
    const auto device = finished_by.find(before.id);
    ASSERT_NE(device, finished_by.end()) << "job " << before.id << " has no applied result";
    EXPECT_EQ(device->second.rfind(by_prefix, 0), 0u)
        << "job " << before.id << " finished by " << device->second;
  }
}

void expectLedgersHold(const NodeSetup& node, Store& store, const LineSnapshot& snapshot) {
  // The audit chain, verified by the product's own command (exit 0 = every link holds).
  Status verified = runCardline(node, {"audit", "verify"}, "audit-verify");
  EXPECT_TRUE(verified.isOk()) << verified.toString();

  // Blank accountability: the ledger identity, and the ledger against the cards.
  std::int64_t cards = 0;
  std::int64_t spoiled_cards = 0;
  for (const auto& [id, list] : snapshot.cards) {
    for (const Card& card : list) {
      ++cards;
      spoiled_cards += card.state == CardState::kSpoiled;
    }
  }
  SystemClock clock;
  BlankStock stock(clock);
  Reconciliation reconciliation;
  Status read = store.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(
        reconciliation,
        stock.reconcileRange(tx, "", Timestamp::fromSeconds(0), clock.now().plusSeconds(60)));
    return Status::ok();
  });
  ASSERT_TRUE(read.isOk()) << read.toString();
  const ReconciliationCounts& total = reconciliation.total;
  EXPECT_TRUE(reconciliation.balanced()) << reconciliation.summary();
  EXPECT_EQ(total.ledgerGap(), 0) << reconciliation.summary();
  // Every blank that left the vault and hoppers is exactly one card of the line.
  const std::int64_t consumed = total.opening + total.received - total.on_hand;
  EXPECT_EQ(consumed, cards) << "blanks consumed by the ledger " << consumed << ", cards "
                             << cards << " (" << reconciliation.summary() << ")";
  EXPECT_EQ(total.spoiled, spoiled_cards)
      << "spoiled blanks by the ledger " << total.spoiled << ", spoiled cards " << spoiled_cards;
  EXPECT_EQ(total.samples + total.returned + total.destroyed, 0);
  std::cout << "[ e2e      ] ledgers: audit chain verified; blanks " << total.received
            << " received, " << consumed << " consumed (" << total.good << " good, "
            << total.spoiled << " spoiled, " << total.in_process << " in process), "
            << total.on_hand << " on hand: " << reconciliation.summary() << std::endl;
}

}  // namespace cardline::e2e
