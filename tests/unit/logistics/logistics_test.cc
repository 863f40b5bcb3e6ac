// Dispatch and logistics through the real engine on the real SQLite store: packing at the
// dispatch station, wrong-box and not-good refusals, capacity and cut-off, hand-over, delivery
// confirmation driving the workflow to "delivered", discrepancies, overdue shipments, tracing
// by every key, and the retention purge.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "mes/logistics/trace.h"
#include "mes/security/audit_key_hmac.h"
#include "tests/unit/logistics/logistics_fixture.h"

namespace cardline::logistics_test {
namespace {

constexpr std::int64_t kHourMs = 3600LL * 1000;

bool hasEvent(const std::vector<Event>& events, const std::string& kind) {
  return std::any_of(events.begin(), events.end(),
                     [&](const Event& e) { return e.kind == kind; });
}

std::vector<Box> boxesIn(LogisticsTest& t, BoxState state, const std::string& unit) {
  std::vector<Box> out;
  Status s = t.inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.logistics().boxesInState(state, unit));
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
  return out;
}

class LogisticsFlowTest : public LogisticsTest {
 protected:
  // Closes the one open box of `unit` and hands it over; returns the shipment.
  Shipment packAndHandOver(const ReceivingUnit& unit, const std::string& tracking) {
    std::vector<Box> open = boxesIn(*this, BoxState::kOpen, unit.code);
    EXPECT_EQ(open.size(), 1u);
    Shipment shipment;
    Status s = inTx([&](StoreTransaction& tx) -> Status {
      CARDLINE_RETURN_IF_ERROR(
          service_->closeBox(tx, open.at(0).id, "SL-" + tracking, "lan").status());
      HandOver h{{open.at(0).id}, "VNPost", tracking, "lan"};
      CARDLINE_ASSIGN_OR_RETURN(shipment, service_->handOver(tx, h));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return shipment;
  }

  Result<DeliveryOutcome> confirm(const std::string& box_id,
                                  std::vector<std::string> missing = {}) {
    DeliveryOutcome outcome;
    Status s = inTx([&](StoreTransaction& tx) -> Status {
      DeliveryConfirmation c{box_id, "hn01.receiver", logistics_roles_, std::move(missing),
                             "checked at the counter"};
      CARDLINE_ASSIGN_OR_RETURN(outcome, service_->confirmDelivery(tx, c));
      return Status::ok();
    });
    if (!s.isOk()) return s;
    return outcome;
  }
};

TEST_F(LogisticsFlowTest, FullRunFromImportToDeliveryConfirmation) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  fullLine("A2", "001099000002", "Trần Thị Bình", kHanoiUnit, "SER0002");
  fullLine("A3", "079099000003", "Lê Hoàng Cường", kSaigonUnit, "SER0003");

  // Packed per receiving unit, one open box each, opened when needed.
  std::vector<Box> hanoi = boxesIn(*this, BoxState::kOpen, "HN-01");
  std::vector<Box> saigon = boxesIn(*this, BoxState::kOpen, "HCM-07");
  ASSERT_EQ(hanoi.size(), 1u);
  ASSERT_EQ(saigon.size(), 1u);
  EXPECT_EQ(hanoi[0].card_count, 2);
  EXPECT_EQ(saigon[0].card_count, 1);
  EXPECT_EQ(card("SER0001").state, CardState::kDispatched);
  EXPECT_EQ(application("A1").step, "in_transit");

  Shipment shipment = packAndHandOver(kHanoiUnit, "VN123456789");
  EXPECT_EQ(shipment.state, ShipmentState::kHandedOver);
  EXPECT_EQ(shipment.handed_over_by, "lan");
  Box packed = box(hanoi[0].id);
  EXPECT_EQ(packed.state, BoxState::kHandedOver);
  EXPECT_EQ(packed.seal_number, "SL-VN123456789");
  EXPECT_EQ(packed.shipment_id, shipment.id);
  const std::vector<Event> handed = events("shipment", shipment.id);
  ASSERT_TRUE(hasEvent(handed, "handed_over"));
  EXPECT_NE(handed.front().detail.find("SL-VN123456789"), std::string::npos);
  EXPECT_NE(handed.front().detail.find("\"by\":\"lan\""), std::string::npos);

  Status moved = inTx([&](StoreTransaction& tx) {
    return service_->setShipmentState(tx, shipment.id, ShipmentState::kInTransit, "lan")
        .status();
  });
  ASSERT_TRUE(moved.isOk()) << moved.toString();
  EXPECT_EQ(box(hanoi[0].id).state, BoxState::kInTransit);

  Result<DeliveryOutcome> delivered = confirm(hanoi[0].id);
  ASSERT_TRUE(delivered.isOk()) << delivered.status().toString();
  EXPECT_TRUE(delivered->shipment_delivered);
  EXPECT_EQ(delivered->delivered_serials.size(), 2u);
  for (const std::string id : {"A1", "A2"}) {
    Application a = application(id);
    EXPECT_EQ(a.step, "delivered") << id;
    EXPECT_EQ(a.state, ApplicationState::kCompleted) << id;
  }
  EXPECT_EQ(card("SER0002").state, CardState::kDelivered);
  EXPECT_EQ(application("A3").step, "in_transit");  // its box is still at dispatch

  // A box is delivered once; a box still open cannot be delivered.
  EXPECT_EQ(confirm(hanoi[0].id).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(confirm(saigon[0].id).status().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(LogisticsFlowTest, DeliveryNeedsTheRoleOfTheWorkflowStep) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  Shipment shipment = packAndHandOver(kHanoiUnit, "VN1");
  (void)shipment;
  const std::string box_id = boxesIn(*this, BoxState::kHandedOver, "")[0].id;
  Status s = inTx([&](StoreTransaction& tx) {
    DeliveryConfirmation c{box_id, "op", {Role::kOperator}, {}, ""};
    return service_->confirmDelivery(tx, c).status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << s.toString();
  EXPECT_EQ(box(box_id).state, BoxState::kHandedOver);  // rolled back
}

TEST_F(LogisticsFlowTest, WrongBoxScanIsRefused) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  const std::string hanoi_box = boxesIn(*this, BoxState::kOpen, "HN-01").at(0).id;
  accept("A3", "079099000003", "Lê Hoàng Cường", kSaigonUnit);
  produce("A3", "SER0003");

  // The dispatch station scanned the Saigon card into the Hanoi box: the result is refused
  // and nothing moves.
  Status refused = dispatch("A3", "ok", "{\"box\":\"" + hanoi_box + "\"}");
  EXPECT_EQ(refused.code(), ErrorCode::kFailedPrecondition) << refused.toString();
  EXPECT_NE(refused.message().find("wrong box"), std::string::npos) << refused.toString();
  EXPECT_EQ(card("SER0003").state, CardState::kGood);
  EXPECT_EQ(application("A3").step, "dispatch");
  EXPECT_EQ(box(hanoi_box).card_count, 1);

  // The same refusal when an operator scans it by hand.
  Status by_hand = inTx([&](StoreTransaction& tx) {
    return service_->packCard(tx, "SER0003", hanoi_box, "lan").status();
  });
  EXPECT_EQ(by_hand.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(by_hand.message().find("wrong box"), std::string::npos);

  // Scanned into a box of its own unit, the card goes there and the dispatch result applies.
  Box saigon;
  Status opened = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(saigon, service_->openBox(tx, kSaigonUnit, "lan"));
    return Status::ok();
  });
  ASSERT_TRUE(opened.isOk()) << opened.toString();
  // The refused transaction rolled back: the job is still leased under the same attempt, and
  // the station reports again with the right box.
  Status ok = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(auto cards, tx.cards().forApplication("A3"));
    (void)cards;
    for (std::int64_t id = 1; id < 100; ++id) {
      Result<StationJob> job = tx.jobs().find(id);
      if (!job.isOk() || job->application_id != "A3" || job->station != StationType::kDispatch) {
        continue;
      }
      StationResult r{job->id, job->attempt, job->device_id, "ok", "",
                      "{\"box\":\"" + saigon.id + "\"}"};
      return engine_.applyResult(tx, r).status();
    }
    return notFound("no dispatch job for A3");
  });
  ASSERT_TRUE(ok.isOk()) << ok.toString();
  EXPECT_EQ(card("SER0003").state, CardState::kDispatched);
  EXPECT_EQ(box(saigon.id).card_count, 1);
  EXPECT_EQ(box(hanoi_box).card_count, 1);
  EXPECT_EQ(application("A3").step, "in_transit");
}

TEST_F(LogisticsFlowTest, OnlyGoodCardsArePacked) {
  accept("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit);
  // Printed and encoded but not through QA: personalised, not good.
  Status printed = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(auto ready, tx.jobs().lockReady(StationType::kPrint, 10));
    const StationJob& job = ready.at(0);
    CARDLINE_RETURN_IF_ERROR(
        tx.jobs().leaseJob(job.id, "p1", "node-1", clock_.now().plusSeconds(60)));
    StationResult r{job.id, job.attempt, "p1", "ok", "SER0001", "{}"};
    return engine_.applyResult(tx, r).status();
  });
  ASSERT_TRUE(printed.isOk()) << printed.toString();
  Status refused = inTx([&](StoreTransaction& tx) {
    return service_->packCard(tx, "SER0001", "", "lan").status();
  });
  EXPECT_EQ(refused.code(), ErrorCode::kFailedPrecondition) << refused.toString();
  EXPECT_TRUE(boxesIn(*this, BoxState::kOpen, "").empty());
}

class SmallBoxTest : public LogisticsFlowTest {
 protected:
  SmallBoxTest() { options_.box_capacity = 2; }
};

TEST_F(SmallBoxTest, FullBoxClosesItselfAndTheNextCardOpensAnother) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  fullLine("A2", "001099000002", "Trần Thị Bình", kHanoiUnit, "SER0002");
  fullLine("A4", "001099000004", "Phạm Minh Đức", kHanoiUnit, "SER0004");
  std::vector<Box> packed = boxesIn(*this, BoxState::kPacked, "HN-01");
  std::vector<Box> open = boxesIn(*this, BoxState::kOpen, "HN-01");
  ASSERT_EQ(packed.size(), 1u);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(packed[0].card_count, 2);
  EXPECT_EQ(packed[0].seal_number, "SEAL-" + packed[0].id);
  EXPECT_EQ(open[0].card_count, 1);
}

TEST_F(LogisticsFlowTest, OpenBoxesCloseAtTheCutoff) {
  // The clock starts at 07:00 local time; the cut-off is 16:00 local.
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  Box empty;
  ASSERT_TRUE(inTx([&](StoreTransaction& tx) -> Status {
                CARDLINE_ASSIGN_OR_RETURN(empty, service_->openBox(tx, kSaigonUnit, "lan"));
                return Status::ok();
              }).isOk());
  std::vector<Box> closed;
  auto runCutoff = [&] {
    Status s = inTx([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(closed, service_->closeAtCutoff(tx));
      return Status::ok();
    });
    ASSERT_TRUE(s.isOk()) << s.toString();
  };
  clock_.advanceMillis(8 * kHourMs);  // 15:0x local
  runCutoff();
  EXPECT_TRUE(closed.empty());
  clock_.advanceMillis(1 * kHourMs);  // past 16:00 local
  runCutoff();
  ASSERT_EQ(closed.size(), 1u);  // the empty box stays open
  EXPECT_EQ(closed[0].receiving_unit_code, "HN-01");
  EXPECT_EQ(box(closed[0].id).state, BoxState::kPacked);
  EXPECT_EQ(box(empty.id).state, BoxState::kOpen);
  const std::vector<Event> history = events("box", closed[0].id);
  EXPECT_NE(history.back().detail.find("\"reason\":\"cutoff\""), std::string::npos);
}

TEST_F(LogisticsFlowTest, MissingCardOpensADiscrepancyThatIsResolved) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  fullLine("A2", "001099000002", "Trần Thị Bình", kHanoiUnit, "SER0002");
  fullLine("A5", "001099000005", "Võ Thị Hoa", kHanoiUnit, "SER0005");
  Shipment shipment = packAndHandOver(kHanoiUnit, "VN77");
  const std::string box_id = boxesIn(*this, BoxState::kHandedOver, "").at(0).id;

  // A serial that is not in the box is not a valid report.
  EXPECT_EQ(confirm(box_id, {"SER9999"}).status().code(), ErrorCode::kInvalidArgument);

  Result<DeliveryOutcome> outcome = confirm(box_id, {"SER0002", "SER0005"});
  ASSERT_TRUE(outcome.isOk()) << outcome.status().toString();
  ASSERT_NE(outcome->discrepancy_id, 0);
  EXPECT_EQ(application("A1").step, "delivered");
  EXPECT_EQ(application("A2").step, "in_transit");
  EXPECT_EQ(card("SER0002").state, CardState::kDispatched);

  std::vector<Discrepancy> open;
  ASSERT_TRUE(inTx([&](StoreTransaction& tx) -> Status {
                CARDLINE_ASSIGN_OR_RETURN(
                    open, tx.logistics().discrepancies(DiscrepancyState::kOpen, ""));
                return Status::ok();
              }).isOk());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].missing_serials, (std::vector<std::string>{"SER0002", "SER0005"}));
  EXPECT_EQ(open[0].reported_by, "hn01.receiver");
  EXPECT_TRUE(hasEvent(events("card", "SER0002"), "reported_missing"));

  // Logistics finds the cards: delivered, and the applications complete.
  Status resolved = inTx([&](StoreTransaction& tx) {
    return service_
        ->resolveDiscrepancy(tx, outcome->discrepancy_id, DiscrepancyResolution::kFound,
                             "found in the carrier's depot", "lan", logistics_roles_)
        .status();
  });
  ASSERT_TRUE(resolved.isOk()) << resolved.toString();
  EXPECT_EQ(application("A2").step, "delivered");
  EXPECT_EQ(card("SER0005").state, CardState::kDelivered);
  Status again = inTx([&](StoreTransaction& tx) {
    return service_
        ->resolveDiscrepancy(tx, outcome->discrepancy_id, DiscrepancyResolution::kFound, "",
                             "lan", logistics_roles_)
        .status();
  });
  EXPECT_EQ(again.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(shipment.state, ShipmentState::kHandedOver);
}

TEST_F(LogisticsFlowTest, LostCardIsSpoiledAndItsApplicationHeldForARemake) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  packAndHandOver(kHanoiUnit, "VN78");
  const std::string box_id = boxesIn(*this, BoxState::kHandedOver, "").at(0).id;
  Result<DeliveryOutcome> outcome = confirm(box_id, {"SER0001"});
  ASSERT_TRUE(outcome.isOk()) << outcome.status().toString();
  Status resolved = inTx([&](StoreTransaction& tx) {
    return service_
        ->resolveDiscrepancy(tx, outcome->discrepancy_id, DiscrepancyResolution::kLost,
                             "not found", "lan", logistics_roles_)
        .status();
  });
  ASSERT_TRUE(resolved.isOk()) << resolved.toString();
  EXPECT_EQ(card("SER0001").state, CardState::kSpoiled);
  EXPECT_EQ(card("SER0001").spoil_reason, "lost_in_transit");
  EXPECT_EQ(application("A1").state, ApplicationState::kHeld);
}

TEST_F(LogisticsFlowTest, OverdueShipmentsAreFlagged) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  Shipment shipment = packAndHandOver(kHanoiUnit, "VN90");
  auto overdue = [&] {
    std::vector<OverdueShipment> out;
    Status s = inTx([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(out, service_->overdue(tx));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return out;
  };
  clock_.advanceMillis(71 * kHourMs);
  EXPECT_TRUE(overdue().empty());
  clock_.advanceMillis(2 * kHourMs);
  std::vector<OverdueShipment> late = overdue();
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].shipment.id, shipment.id);
  EXPECT_GT(late[0].overdue_seconds, 0);
  EXPECT_EQ(late[0].box_ids.size(), 1u);
  ASSERT_TRUE(confirm(late[0].box_ids[0]).isOk());
  EXPECT_TRUE(overdue().empty());
}

TEST_F(LogisticsFlowTest, TracingFindsEveryKindOfKey) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  fullLine("A2", "001099000002", "Trần Thị Bình", kHanoiUnit, "SER0002");
  Shipment shipment = packAndHandOver(kHanoiUnit, "VN555");
  const std::string box_id = boxesIn(*this, BoxState::kHandedOver, "").at(0).id;

  struct Case {
    std::string query;
    TraceKey key;
  };
  const std::vector<Case> cases = {
      {"001099000001", TraceKey::kPersonalNumber}, {"A1", TraceKey::kApplicationId},
      {"SER0001", TraceKey::kCardSerial},          {box_id, TraceKey::kBoxId},
      {"VN555", TraceKey::kTrackingNumber},        {shipment.id, TraceKey::kShipmentId},
  };
  for (const Case& c : cases) {
    TraceReport report;
    Status s = inTx([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(report, trace(tx, c.query, clock_.now()));
      return Status::ok();
    });
    ASSERT_TRUE(s.isOk()) << c.query << ": " << s.toString();
    EXPECT_EQ(report.key, c.key) << c.query;
    EXPECT_NE(report.location.find("VNPost"), std::string::npos) << report.location;
    EXPECT_NE(report.location.find("VN555"), std::string::npos) << report.location;
    // The whole history, from the start in the engine to the hand-over, in order.
    std::vector<std::string> kinds;
    for (const Event& e : report.history) kinds.push_back(e.subject_type + ":" + e.kind);
    auto at = [&](const std::string& kind) {
      return std::find(kinds.begin(), kinds.end(), kind) - kinds.begin();
    };
    ASSERT_LT(at("application:started"), static_cast<long>(kinds.size())) << c.query;
    EXPECT_LT(at("application:started"), at("card:packed")) << c.query;
    EXPECT_LT(at("card:packed"), at("box:packed")) << c.query;
    EXPECT_LT(at("box:packed"), at("shipment:handed_over")) << c.query;
    for (std::size_t i = 1; i < report.history.size(); ++i) {
      EXPECT_LT(report.history[i - 1].seq, report.history[i].seq);
    }
    ASSERT_FALSE(report.applications.empty()) << c.query;
  }

  // The printed form of `cardline track`, with the personal data masked by the caller's rule.
  std::ostringstream out;
  TraceFormat masked;
  masked.mask_personal_number = [](std::string_view) { return std::string("001*******01"); };
  masked.mask_name = [](std::string_view) { return std::string("N. V. A."); };
  ASSERT_TRUE(runTrack(*store_, clock_, "SER0001", masked, out).isOk());
  EXPECT_NE(out.str().find("N. V. A."), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("Nguyễn Văn An"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("handed_over"), std::string::npos) << out.str();

  std::ostringstream none;
  EXPECT_EQ(runTrack(*store_, clock_, "NO-SUCH-THING", {}, none).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(none.str().empty());
}

TEST_F(LogisticsFlowTest, RetentionPurgeErasesPersonalDataAndKeepsCountsAndEvents) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  fullLine("A2", "001099000002", "Trần Thị Bình", kHanoiUnit, "SER0002");
  packAndHandOver(kHanoiUnit, "VN600");
  const std::string box_id = boxesIn(*this, BoxState::kHandedOver, "").at(0).id;
  ASSERT_TRUE(confirm(box_id).isOk());
  const std::size_t events_before = events("application", "A1").size();

  auto audit_key = HmacAuditKey::create(Bytes(32, 0x5a));
  ASSERT_TRUE(audit_key.isOk()) << audit_key.status().toString();
  AuditTrail trail(*store_, clock_, **audit_key);
  AuditAppender audit = [&](StoreTransaction& tx, const std::string& actor,
                            const std::string& action, const std::string& subject,
                            const std::string& detail) {
    return trail.appendIn(tx, actor, action, subject, detail).status();
  };
  auto purge = [&] {
    PurgeReport report;
    Status s = inTx([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(report, service_->purgeExpired(tx, "system", audit));
      return Status::ok();
    });
    EXPECT_TRUE(s.isOk()) << s.toString();
    return report;
  };

  clock_.advanceMillis((24LL * options_.retention_days - 1) * kHourMs);
  EXPECT_TRUE(purge().application_ids.empty());  // not yet
  EXPECT_EQ(application("A1").person.full_name, "Nguyễn Văn An");

  clock_.advanceMillis(2 * kHourMs);
  PurgeReport report = purge();
  EXPECT_EQ(report.application_ids, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_EQ(report.box_ids, (std::vector<std::string>{box_id}));

  // Personal data gone, also from the look-up by personal number.
  Application a1 = application("A1");
  EXPECT_TRUE(a1.person.full_name.empty());
  EXPECT_TRUE(a1.personal_number.empty());
  EXPECT_TRUE(a1.person.place_of_residence.empty());
  EXPECT_TRUE(a1.person.photo.data.empty());
  std::vector<std::string> ids;
  ASSERT_TRUE(inTx([&](StoreTransaction& tx) -> Status {
                CARDLINE_ASSIGN_OR_RETURN(ids,
                                          tx.applications().idsForPersonalNumber("001099000001"));
                return Status::ok();
              }).isOk());
  EXPECT_TRUE(ids.empty());

  // Kept: ids, units, positions, serials, counts and the history (plus the purge itself).
  EXPECT_EQ(a1.receiving_unit.code, "HN-01");
  EXPECT_EQ(a1.step, "delivered");
  EXPECT_EQ(card("SER0001").state, CardState::kDelivered);
  EXPECT_EQ(box(box_id).card_count, 2);
  std::int64_t completed = 0;
  ASSERT_TRUE(inTx([&](StoreTransaction& tx) -> Status {
                CARDLINE_ASSIGN_OR_RETURN(
                    completed, tx.applications().countInState(ApplicationState::kCompleted));
                return Status::ok();
              }).isOk());
  EXPECT_EQ(completed, 2);
  std::vector<Event> after = events("application", "A1");
  EXPECT_EQ(after.size(), events_before + 1);
  EXPECT_EQ(after.back().kind, "personal_data_purged");

  // Tracing still works by every key but the personal number.
  TraceReport traced;
  ASSERT_TRUE(inTx([&](StoreTransaction& tx) -> Status {
                CARDLINE_ASSIGN_OR_RETURN(traced, trace(tx, "SER0001", clock_.now()));
                return Status::ok();
              }).isOk());
  EXPECT_NE(traced.location.find("delivered to HN-01"), std::string::npos) << traced.location;

  // Audited, and the chain is intact.
  auto entries = trail.list(0, 100);
  ASSERT_TRUE(entries.isOk()) << entries.status().toString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].action, "application.purge");
  EXPECT_EQ((*entries)[0].subject, "application/A1");
  auto verified = trail.verify();
  ASSERT_TRUE(verified.isOk());
  EXPECT_TRUE(verified->intact());

  // A second run purges nothing more.
  EXPECT_TRUE(purge().application_ids.empty());
}

}  // namespace
}  // namespace cardline::logistics_test

namespace cardline::logistics_test {
namespace {

// Boxes open only for receiving units of the reference data, under the one identifier rule.
TEST_F(LogisticsFlowTest, BoxesOpenOnlyForKnownReceivingUnits) {
  LogisticsOptions options = service_->options();
  options.is_receiving_unit = [](const std::string& code) { return code == "HN-01"; };
  LogisticsService checked(engine_, clock_, options);
  auto open = [&](const std::string& code) {
    Status s = store_->transact([&](StoreTransaction& tx) -> Status {
      return checked.openBox(tx, ReceivingUnit{code, "x"}, "logistics.user").status();
    });
    return s;
  };
  EXPECT_TRUE(open("HN-01").isOk());
  for (const char* bad : {"NOUNIT", "<svg onload=alert(1)>", "a/../../b", ""}) {
    Status s = open(bad);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << bad << ": " << s.toString();
    EXPECT_NE(s.message().find("receiving unit"), std::string::npos) << s.message();
  }
  EXPECT_NE(open("NOUNIT").message().find("not in the reference data"), std::string::npos);
}

}  // namespace
}  // namespace cardline::logistics_test
