// Blank stock through the service and through the workflow engine with the BlankObserver, on
// the real SQLite store: receive, issue, return, samples, spoils, dual-controlled destruction,
// shift reconciliation, and refusal of blanks a printer may not consume.

#include <gtest/gtest.h>

#include "tests/unit/workflow/lease_ready.h"
#include "tests/unit/blanks/blanks_fixture.h"

namespace cardline::blanks_test {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> kinds(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.kind);
  return out;
}

bool hasKind(const std::vector<Event>& events, const std::string& kind) {
  for (const Event& e : events) {
    if (e.kind == kind) return true;
  }
  return false;
}

TEST_F(BlanksTest, ReceiveRangeIssueAndReturnToVault) {
  addDevice("P1");
  addDevice("Q1", StationType::kQa);
  receive("L1", 1, 5);
  EXPECT_EQ(serial(sn(3)).state, BlankState::kInVault);
  EXPECT_EQ(serial(sn(3)).line, "line-1");

  // A serial taken twice and a lot received twice are refused; nothing of them is kept.
  LotReceipt again;
  again.lot_id = "L2";
  again.line = "line-1";
  again.supplier = "S";
  again.chip_type = "P71";
  again.serials = {"VN0100", sn(2)};
  Status s = act([&](StoreTransaction& tx) { return stock_.receive(tx, again, "sup1").status(); });
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists);
  again.serials = {"VN0100", "VN0100"};
  s = act([&](StoreTransaction& tx) { return stock_.receive(tx, again, "sup1").status(); });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  again.serials = {};
  again.first_serial = "VN0009";
  again.last_serial = "XN0010";
  s = act([&](StoreTransaction& tx) { return stock_.receive(tx, again, "sup1").status(); });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);

  issue({sn(1), sn(2)}, "P1");
  EXPECT_EQ(serial(sn(1)).state, BlankState::kIssued);
  EXPECT_EQ(serial(sn(1)).device_id, "P1");
  s = act([&](StoreTransaction& tx) { return stock_.issue(tx, {sn(1)}, "P1", "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(contains(s.message(), sn(1))) << s.message();
  s = act([&](StoreTransaction& tx) { return stock_.issue(tx, {sn(3)}, "Q1", "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  s = act([&](StoreTransaction& tx) { return stock_.issue(tx, {sn(3)}, "nobody", "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  // All or nothing: sn(4) is fine but sn(1) is not in the vault.
  s = act([&](StoreTransaction& tx) { return stock_.issue(tx, {sn(4), sn(1)}, "P1", "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(serial(sn(4)).state, BlankState::kInVault);

  s = act([&](StoreTransaction& tx) { return stock_.returnToVault(tx, {sn(2)}, "sup1"); });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(serial(sn(2)).state, BlankState::kInVault);
  EXPECT_EQ(serial(sn(2)).device_id, "");
  s = act([&](StoreTransaction& tx) { return stock_.returnToVault(tx, {sn(2)}, "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(hasKind(eventsOf("blank_lot", "L1"), "received"));
  EXPECT_TRUE(hasKind(eventsOf("device", "P1"), "blanks_issued"));
}

// The issue's first test: a run with spoils and a destruction under dual control.
TEST_F(BlanksTest, RunWithSpoilsAndDestruction) {
  addUser("sup1", {Role::kSupervisor});
  addUser("sup2", {Role::kSupervisor, Role::kManager});
  addUser("op1", {Role::kOperator});
  addDevice("P1");
  Shift shift;
  Status s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(shift, stock_.openShift(tx, "line-1", "sup1"));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  receive("L1", 1, 10);
  s = act([&](StoreTransaction& tx) { return stock_.openShift(tx, "line-1", "sup2").status(); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);

  issue({sn(1), sn(2), sn(3), sn(4), sn(5), sn(6)}, "P1");
  accept("A1");
  accept("A2");

  // A1: printed, encoded, passed QA -> good.
  EXPECT_EQ(run(StationType::kPrint, "P1", "ok", sn(1)).disposition, ResultDisposition::kApplied);
  run(StationType::kEncode, "E1", "ok");
  run(StationType::kQa, "QA1", "ok");
  EXPECT_EQ(serial(sn(1)).state, BlankState::kGood);

  // A2: smudged at print (spoiled at print), reprinted, failed QA (spoiled at qa), remade.
  run(StationType::kPrint, "P1", "print_smudge", sn(2));
  EXPECT_EQ(serial(sn(2)).state, BlankState::kSpoiled);
  EXPECT_EQ(serial(sn(2)).reason, "print_smudge");
  EXPECT_EQ(serial(sn(2)).station, "print");
  run(StationType::kPrint, "P1", "ok", sn(3));
  run(StationType::kEncode, "E1", "ok");
  run(StationType::kQa, "QA1", "print_defect");
  EXPECT_EQ(serial(sn(3)).state, BlankState::kSpoiled);
  EXPECT_EQ(serial(sn(3)).reason, "print_defect");
  EXPECT_EQ(serial(sn(3)).station, "qa");
  run(StationType::kPrint, "P1", "ok", sn(4));
  EXPECT_EQ(serial(sn(4)).state, BlankState::kPersonalised);

  s = act([&](StoreTransaction& tx) { return stock_.markSample(tx, {sn(7)}, "lab test", "sup1"); });
  ASSERT_TRUE(s.isOk()) << s.toString();
  s = act([&](StoreTransaction& tx) {
    return stock_.returnToSupplier(tx, {sn(10)}, "delaminated", "sup1");
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  s = act([&](StoreTransaction& tx) { return stock_.returnToVault(tx, {sn(6)}, "sup1"); });
  ASSERT_TRUE(s.isOk()) << s.toString();

  // Dual control.
  std::int64_t destruction = 0;
  s = act([&](StoreTransaction& tx) {
    return stock_.proposeDestruction(tx, {sn(2), sn(3)}, "spoils", "op1").status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << "a non-supervisor may not propose";
  s = act([&](StoreTransaction& tx) {
    return stock_.proposeDestruction(tx, {sn(2), sn(4)}, "spoils", "sup1").status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition) << "only spoiled blanks are destroyed";
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(destruction,
                              stock_.proposeDestruction(tx, {sn(2), sn(3)}, "spoils", "sup1"));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  s = act([&](StoreTransaction& tx) { return stock_.confirmDestruction(tx, destruction, "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << "the same person twice";
  EXPECT_TRUE(contains(s.message(), "dual control")) << s.message();
  s = act([&](StoreTransaction& tx) { return stock_.confirmDestruction(tx, destruction, "op1"); });
  EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << "a non-supervisor witness";
  EXPECT_EQ(serial(sn(2)).state, BlankState::kSpoiled);
  s = act([&](StoreTransaction& tx) { return stock_.confirmDestruction(tx, destruction, "sup2"); });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(serial(sn(2)).state, BlankState::kDestroyed);
  EXPECT_EQ(serial(sn(3)).state, BlankState::kDestroyed);
  s = act([&](StoreTransaction& tx) { return stock_.confirmDestruction(tx, destruction, "sup2"); });
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  std::vector<Event> recorded = eventsOf("destruction", std::to_string(destruction));
  ASSERT_EQ(kinds(recorded),
            (std::vector<std::string>{"destruction_proposed", "destruction_confirmed"}));
  EXPECT_EQ(recorded[0].actor, "sup1");
  EXPECT_EQ(recorded[1].actor, "sup2");
  EXPECT_TRUE(contains(recorded[1].detail, "\"proposed_by\":\"sup1\"")) << recorded[1].detail;
  Destruction stored;
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(stored, tx.blanks().findDestruction(destruction));
    return Status::ok();
  });
  EXPECT_EQ(stored.proposed_by, "sup1");
  EXPECT_EQ(stored.confirmed_by, "sup2");

  // Close: on hand are sn(5) (hopper), sn(6), sn(8), sn(9) (vault).
  Reconciliation rec;
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(
        rec, stock_.closeShift(tx, shift.id, {sn(5), sn(6), sn(8), sn(9)}, "sup2"));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_TRUE(rec.balanced()) << rec.summary();
  EXPECT_EQ(rec.total.opening, 0);
  EXPECT_EQ(rec.total.received, 10);
  EXPECT_EQ(rec.total.good, 1);
  EXPECT_EQ(rec.total.spoiled, 0);
  EXPECT_EQ(rec.total.destroyed, 2);
  EXPECT_EQ(rec.total.samples, 1);
  EXPECT_EQ(rec.total.returned, 1);
  EXPECT_EQ(rec.total.in_process, 1);
  EXPECT_EQ(rec.total.on_hand, 4);
  EXPECT_EQ(rec.total.counted, 4);
  EXPECT_EQ(rec.total.difference, 0);
  ASSERT_EQ(rec.lots.size(), 1u);
  EXPECT_EQ(rec.lots[0].lot_id, "L1");
  EXPECT_EQ(rec.lots[0].supplier, "Supplier JSC");

  // The closed shift reads back the same, and the next shift opens with 5 unsettled blanks.
  Reconciliation again;
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(again, stock_.reconcileShift(tx, shift.id, std::nullopt));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_TRUE(again.balanced());
  EXPECT_EQ(again.total.counted, 4);
  EXPECT_EQ(again.total.received, 10);
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Shift next, stock_.openShift(tx, "line-1", "sup1"));
    CARDLINE_ASSIGN_OR_RETURN(again, stock_.reconcileShift(tx, next.id, std::nullopt));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(again.total.opening, 5);  // 4 on hand + 1 in process
  EXPECT_EQ(again.total.received, 0);

  std::string csv = reconciliationCsv(rec);
  EXPECT_TRUE(contains(csv, "total,line-1," + std::to_string(shift.id) + ",")) << csv;
  EXPECT_TRUE(contains(csv, ",0,10,1,0,1,1,2,1,4,4,0,,\r\n")) << csv;
}

// The issue's second test: an unbalanced shift is refused with the difference and serials.
TEST_F(BlanksTest, UnbalancedShiftIsRefused) {
  addDevice("P1");
  receive("L1", 1, 5);
  Shift shift;
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                CARDLINE_ASSIGN_OR_RETURN(shift, stock_.openShift(tx, "line-1", "sup1"));
                return Status::ok();
              }).isOk());
  issue({sn(1), sn(2)}, "P1");

  // Counted: sn(2) and sn(4) are missing, VN9999 is not ours.
  std::vector<std::string> counted = {sn(1), sn(3), sn(5), "VN9999"};
  Status s = act([&](StoreTransaction& tx) {
    return stock_.closeShift(tx, shift.id, counted, "sup1").status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(contains(s.message(), "difference -1")) << s.message();
  EXPECT_TRUE(contains(s.message(), sn(2))) << s.message();
  EXPECT_TRUE(contains(s.message(), sn(4))) << s.message();
  EXPECT_TRUE(contains(s.message(), "VN9999")) << s.message();

  Reconciliation rec;
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                CARDLINE_ASSIGN_OR_RETURN(rec, stock_.reconcileShift(tx, shift.id, counted));
                return Status::ok();
              }).isOk());
  EXPECT_FALSE(rec.balanced());
  EXPECT_EQ(rec.total.on_hand, 5);
  EXPECT_EQ(rec.total.counted, 4);
  EXPECT_EQ(rec.total.difference, -1);
  EXPECT_EQ(rec.missing, (std::vector<std::string>{sn(2), sn(4)}));
  EXPECT_EQ(rec.unexpected, (std::vector<std::string>{"VN9999"}));
  std::string csv = reconciliationCsv(rec);
  EXPECT_TRUE(contains(csv, "missing,line-1")) << csv;
  EXPECT_TRUE(contains(csv, "VN9999")) << csv;

  // Still open; found the two, left the stranger out: balances and closes once.
  s = act([&](StoreTransaction& tx) {
    return stock_.closeShift(tx, shift.id, {sn(1), sn(2), sn(3), sn(4), sn(5)}, "sup1").status();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  s = act([&](StoreTransaction& tx) {
    return stock_.closeShift(tx, shift.id, {sn(1), sn(2), sn(3), sn(4), sn(5)}, "sup1").status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_TRUE(hasKind(eventsOf("shift", std::to_string(shift.id)), "shift_closed"));
}

// The issue's third test: a serial consumed twice is detected and refused.
TEST_F(BlanksTest, SerialConsumedTwiceIsDetected) {
  addDevice("P1");
  receive("L1", 1, 3);
  issue({sn(1), sn(2), sn(3)}, "P1");
  accept("A1");
  accept("A2");
  ASSERT_EQ(run(StationType::kPrint, "P1", "ok", sn(1)).disposition, ResultDisposition::kApplied);

  ResultEffect refused = run(StationType::kPrint, "P1", "ok", sn(1));
  EXPECT_EQ(refused.disposition, ResultDisposition::kRefused);
  EXPECT_EQ(refused.application_id, "A2");
  EXPECT_EQ(refused.to_step, "print");
  EXPECT_NE(refused.next_job_id, 0);
  std::vector<BlankFlag> flags = allFlags();
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, BlankFlagKind::kConsumedTwice);
  EXPECT_EQ(flags[0].serial, sn(1));
  EXPECT_EQ(flags[0].device_id, "P1");
  EXPECT_EQ(serial(sn(1)).state, BlankState::kPersonalised);  // still A1's card
  EXPECT_TRUE(hasKind(eventsOf("blank", sn(1)), "blank_refused"));
  EXPECT_TRUE(hasKind(eventsOf("application", "A2"), "blank_refused"));

  // The retry prints A2 on a fresh blank.
  EXPECT_EQ(run(StationType::kPrint, "P1", "ok", sn(2)).disposition, ResultDisposition::kApplied);
  EXPECT_EQ(serial(sn(2)).state, BlankState::kPersonalised);
}

// The issue's fourth test: a serial not issued to the device is refused, through the engine.
TEST_F(BlanksTest, SerialNotIssuedToTheDeviceIsRefused) {
  addDevice("P1");
  addDevice("P2");
  receive("L1", 1, 3);
  issue({sn(1)}, "P1");
  issue({sn(2)}, "P2");
  accept("A1");
  Shift shift;
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                CARDLINE_ASSIGN_OR_RETURN(shift, stock_.openShift(tx, "line-1", "sup1"));
                return Status::ok();
              }).isOk());

  // sn(2) sits in P2's hopper, sn(3) in the vault, VN0777 was never received.
  for (const std::string& wrong : {sn(2), sn(3), std::string("VN0777")}) {
    ResultEffect effect = run(StationType::kPrint, "P1", "ok", wrong);
    EXPECT_EQ(effect.disposition, ResultDisposition::kRefused) << wrong;
    EXPECT_EQ(effect.to_step, "print");
    EXPECT_EQ(effect.state, ApplicationState::kQueued);
    ASSERT_NE(effect.next_job_id, 0);
  }
  Status s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Card none, tx.cards().find(sn(2)));
    (void)none;
    return Status::ok();
  });
  EXPECT_EQ(s.code(), ErrorCode::kNotFound) << "a refused blank is not bound to the application";
  EXPECT_EQ(serial(sn(2)).state, BlankState::kIssued);
  EXPECT_EQ(serial(sn(2)).device_id, "P2");
  EXPECT_EQ(serial(sn(3)).state, BlankState::kInVault);

  std::vector<BlankFlag> flags = allFlags();
  ASSERT_EQ(flags.size(), 3u);
  EXPECT_EQ(flags[0].kind, BlankFlagKind::kNotIssuedToDevice);
  EXPECT_EQ(flags[1].kind, BlankFlagKind::kNotIssuedToDevice);
  EXPECT_EQ(flags[2].kind, BlankFlagKind::kUnknownSerial);

  // The refused jobs are done with outcome blank_refused; the retry count did not move (three
  // refusals would otherwise have exhausted the two retries).
  std::vector<Event> app_events = eventsOf("application", "A1");
  int refusals = 0;
  for (const Event& e : app_events) {
    if (e.kind != "blank_refused") continue;
    ++refusals;
    EXPECT_EQ(e.actor, "device:P1");
  }
  EXPECT_EQ(refusals, 3);
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(StationJob first, tx.jobs().find(1));
    EXPECT_EQ(first.state, JobState::kDone);
    EXPECT_EQ(first.outcome, "blank_refused");
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();

  // The right blank goes through and the application moves on to encode.
  ResultEffect ok = run(StationType::kPrint, "P1", "ok", sn(1));
  EXPECT_EQ(ok.disposition, ResultDisposition::kApplied);
  EXPECT_EQ(ok.to_step, "encode");
  EXPECT_EQ(serial(sn(1)).state, BlankState::kPersonalised);

  // The shift's reconciliation lists the exceptions.
  Reconciliation rec;
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                CARDLINE_ASSIGN_OR_RETURN(rec, stock_.reconcileShift(tx, shift.id, std::nullopt));
                return Status::ok();
              }).isOk());
  EXPECT_EQ(rec.flags.size(), 3u);
  EXPECT_EQ(rec.total.in_process, 1);
  EXPECT_EQ(rec.total.opening, 3);
}

TEST_F(BlanksTest, RepeatedRefusedResultIsADuplicate) {
  addDevice("P1");
  receive("L1", 1, 2);
  accept("A1");
  clock_.advanceMillis(1000);
  StationJob job;
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                CARDLINE_ASSIGN_OR_RETURN(auto jobs,
                                          leaseReady(tx.jobs(), StationType::kPrint, "P1", "node-1",
                                                          clock_.now().plusSeconds(30), 1));
                job = jobs.at(0);
                return Status::ok();
              }).isOk());
  StationResult r{job.id, job.attempt, "P1", "ok", sn(1), ""};
  for (ResultDisposition expected : {ResultDisposition::kRefused, ResultDisposition::kDuplicate}) {
    ResultEffect effect;
    Status s = act([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(effect, engine_.applyResult(tx, r));
      return Status::ok();
    });
    ASSERT_TRUE(s.isOk()) << s.toString();
    EXPECT_EQ(effect.disposition, expected);
  }
  EXPECT_EQ(allFlags().size(), 1u);
}

TEST_F(BlanksTest, SpoilSampleAndRangeReconciliation) {
  addDevice("P1");
  receive("L1", 1, 4);
  receive("M1", 20, 21, "line-2");
  Timestamp start = clock_.now();
  clock_.advanceMillis(60000);
  Status s = act(
      [&](StoreTransaction& tx) { return stock_.spoil(tx, sn(1), "dropped", "vault", "sup1"); });
  ASSERT_TRUE(s.isOk()) << s.toString();
  s = act([&](StoreTransaction& tx) { return stock_.spoil(tx, sn(1), "again", "vault", "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  s = act([&](StoreTransaction& tx) { return stock_.spoil(tx, sn(2), "", "vault", "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  s = act([&](StoreTransaction& tx) { return stock_.markSample(tx, {sn(2)}, "test", "sup1"); });
  ASSERT_TRUE(s.isOk()) << s.toString();
  s = act([&](StoreTransaction& tx) { return stock_.markSample(tx, {sn(2)}, "test", "sup1"); });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);

  Reconciliation rec;
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(
        rec, stock_.reconcileRange(tx, "line-1", start.plusMillis(1), clock_.now().plusSeconds(1)));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_TRUE(rec.balanced()) << rec.summary();
  EXPECT_EQ(rec.total.opening, 4);  // received before the range
  EXPECT_EQ(rec.total.received, 0);
  EXPECT_EQ(rec.total.spoiled, 1);
  EXPECT_EQ(rec.total.samples, 1);
  EXPECT_EQ(rec.total.on_hand, 2);
  s = act([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(rec,
                              stock_.reconcileRange(tx, "", start, clock_.now().plusSeconds(1)));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(rec.total.received, 6);
  EXPECT_EQ(rec.lots.size(), 2u);
}

}  // namespace
}  // namespace cardline::blanks_test
