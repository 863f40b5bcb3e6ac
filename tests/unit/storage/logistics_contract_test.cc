// The LogisticsRepository contract (boxes, box cards, shipments, discrepancies) and
// ApplicationRepository::purgePersonalData, on every backend of the storage contract suite.
#include <gtest/gtest.h>

#include "tests/unit/storage/store_fixture.h"

namespace cardline {
namespace {

Box makeBox(const std::string& id, const std::string& unit) {
  Box b;
  b.id = id;
  b.receiving_unit_code = unit;
  b.receiving_unit_name = "Công an quận Ba Đình";
  b.capacity = 3;
  b.created_at = Timestamp::fromSeconds(1767200000);
  return b;
}

Card makeCard(const std::string& serial, const std::string& application_id) {
  Card c;
  c.serial = serial;
  c.application_id = application_id;
  c.state = CardState::kGood;
  c.created_at = Timestamp::fromSeconds(1767200000);
  c.updated_at = c.created_at;
  return c;
}

TEST_P(StoreContractTest, BoxRoundTripAndConditionalUpdate) {
  Status s = store_->transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t none, tx.logistics().countBoxes());
    EXPECT_EQ(none, 0);
    CARDLINE_RETURN_IF_ERROR(tx.logistics().insertBox(makeBox("BOX-1", "HN-BD")));
    EXPECT_EQ(tx.logistics().insertBox(makeBox("BOX-1", "HN-BD")).code(),
              ErrorCode::kAlreadyExists);
    CARDLINE_ASSIGN_OR_RETURN(Box b, tx.logistics().findBox("BOX-1"));
    EXPECT_EQ(b.receiving_unit_name, "Công an quận Ba Đình");
    EXPECT_EQ(b.state, BoxState::kOpen);
    EXPECT_EQ(b.capacity, 3);
    EXPECT_TRUE(b.shipment_id.empty());
    b.state = BoxState::kPacked;
    b.seal_number = "S-77";
    b.sealed_at = Timestamp::fromSeconds(1767200100);
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(b, BoxState::kOpen));
    EXPECT_EQ(tx.logistics().updateBox(b, BoxState::kOpen).code(), ErrorCode::kConflict);
    EXPECT_EQ(tx.logistics().updateBox(makeBox("BOX-9", "X"), BoxState::kOpen).code(),
              ErrorCode::kNotFound);
    CARDLINE_ASSIGN_OR_RETURN(Box again, tx.logistics().findBox("BOX-1"));
    EXPECT_EQ(again.seal_number, "S-77");
    EXPECT_EQ(again.sealed_at, Timestamp::fromSeconds(1767200100));
    CARDLINE_ASSIGN_OR_RETURN(auto packed, tx.logistics().boxesInState(BoxState::kPacked, ""));
    EXPECT_EQ(packed.size(), 1u);
    CARDLINE_ASSIGN_OR_RETURN(auto other, tx.logistics().boxesInState(BoxState::kPacked, "HCM"));
    EXPECT_TRUE(other.empty());
    EXPECT_EQ(tx.logistics().findBox("BOX-9").status().code(), ErrorCode::kNotFound);
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

TEST_P(StoreContractTest, BoxCardsAreUniqueAndOnlyGoIntoOpenBoxes) {
  insertApplication("APP-1");
  Status s = store_->transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_RETURN_IF_ERROR(tx.cards().insert(makeCard("SER-1", "APP-1")));
    CARDLINE_RETURN_IF_ERROR(tx.cards().insert(makeCard("SER-2", "APP-1")));
    CARDLINE_RETURN_IF_ERROR(tx.logistics().insertBox(makeBox("BOX-1", "HN-BD")));
    CARDLINE_RETURN_IF_ERROR(tx.logistics().insertBox(makeBox("BOX-2", "HN-BD")));
    CARDLINE_RETURN_IF_ERROR(
        tx.logistics().addCard({"BOX-1", "SER-1", "APP-1", Timestamp::fromSeconds(10)}));
    CARDLINE_ASSIGN_OR_RETURN(Box b, tx.logistics().findBox("BOX-1"));
    EXPECT_EQ(b.card_count, 1);
    CARDLINE_ASSIGN_OR_RETURN(BoxCard where, tx.logistics().boxOfCard("SER-1"));
    EXPECT_EQ(where.box_id, "BOX-1");
    EXPECT_EQ(where.application_id, "APP-1");
    EXPECT_EQ(tx.logistics().boxOfCard("SER-2").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(tx.logistics().addCard({"BOX-9", "SER-2", "APP-1", {}}).code(),
              ErrorCode::kNotFound);
    b.state = BoxState::kPacked;
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(b, BoxState::kOpen));
    EXPECT_EQ(tx.logistics().addCard({"BOX-1", "SER-2", "APP-1", {}}).code(),
              ErrorCode::kConflict);
    CARDLINE_ASSIGN_OR_RETURN(auto cards, tx.logistics().cardsOfBox("BOX-1"));
    EXPECT_EQ(cards.size(), 1u);
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  // A card twice (in another box) is refused; the transaction that tried rolls back.
  Status twice = store_->transact([&](StoreTransaction& tx) {
    return tx.logistics().addCard({"BOX-2", "SER-1", "APP-1", {}});
  });
  EXPECT_EQ(twice.code(), ErrorCode::kAlreadyExists) << twice.toString();
  Status unknown = store_->transact([&](StoreTransaction& tx) {
    return tx.logistics().addCard({"BOX-2", "SER-404", "APP-1", {}});
  });
  EXPECT_EQ(unknown.code(), ErrorCode::kFailedPrecondition) << unknown.toString();
}

TEST_P(StoreContractTest, ShipmentsByIdAndTrackingNumber) {
  Status s = store_->transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_RETURN_IF_ERROR(tx.logistics().insertBox(makeBox("BOX-1", "HN-BD")));
    Shipment sh;
    sh.id = "SHP-1";
    sh.carrier = "VNPost";
    sh.tracking_number = "EE123456789VN";
    sh.handed_over_by = "lan";
    sh.handed_over_at = Timestamp::fromSeconds(1767200000);
    sh.due_at = Timestamp::fromSeconds(1767400000);
    CARDLINE_RETURN_IF_ERROR(tx.logistics().insertShipment(sh));
    Shipment same_tracking = sh;
    same_tracking.id = "SHP-2";
    EXPECT_EQ(tx.logistics().insertShipment(same_tracking).code(), ErrorCode::kAlreadyExists);
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t count, tx.logistics().countShipments());
    EXPECT_EQ(count, 1);
    CARDLINE_ASSIGN_OR_RETURN(Shipment found, tx.logistics().shipmentByTracking("EE123456789VN"));
    EXPECT_EQ(found.id, "SHP-1");
    EXPECT_EQ(found.handed_over_by, "lan");
    EXPECT_EQ(found.due_at, Timestamp::fromSeconds(1767400000));
    EXPECT_EQ(tx.logistics().shipmentByTracking("nope").status().code(), ErrorCode::kNotFound);
    found.state = ShipmentState::kInTransit;
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateShipment(found, ShipmentState::kHandedOver));
    EXPECT_EQ(tx.logistics().updateShipment(found, ShipmentState::kHandedOver).code(),
              ErrorCode::kConflict);
    CARDLINE_ASSIGN_OR_RETURN(auto moving,
                              tx.logistics().shipmentsInState(ShipmentState::kInTransit));
    EXPECT_EQ(moving.size(), 1u);
    CARDLINE_ASSIGN_OR_RETURN(Box b, tx.logistics().findBox("BOX-1"));
    b.state = BoxState::kHandedOver;
    b.shipment_id = "SHP-1";
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(b, BoxState::kOpen));
    CARDLINE_ASSIGN_OR_RETURN(auto boxes, tx.logistics().boxesOfShipment("SHP-1"));
    EXPECT_EQ(boxes.size(), 1u);
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

TEST_P(StoreContractTest, DiscrepanciesOpenAndResolve) {
  Status s = store_->transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_RETURN_IF_ERROR(tx.logistics().insertBox(makeBox("BOX-1", "HN-BD")));
    Discrepancy d;
    d.box_id = "BOX-1";
    d.missing_serials = {"SER-1", "SER-2"};
    d.note = "thiếu 2 thẻ";
    d.reported_by = "receiver";
    d.reported_at = Timestamp::fromSeconds(5);
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, tx.logistics().insertDiscrepancy(d));
    EXPECT_GT(id, 0);
    CARDLINE_ASSIGN_OR_RETURN(Discrepancy found, tx.logistics().findDiscrepancy(id));
    EXPECT_EQ(found.missing_serials, d.missing_serials);
    EXPECT_EQ(found.note, "thiếu 2 thẻ");
    EXPECT_EQ(found.state, DiscrepancyState::kOpen);
    CARDLINE_ASSIGN_OR_RETURN(auto open,
                              tx.logistics().discrepancies(DiscrepancyState::kOpen, "BOX-1"));
    EXPECT_EQ(open.size(), 1u);
    found.state = DiscrepancyState::kResolved;
    found.resolution = "found";
    found.resolved_by = "lan";
    found.resolved_at = Timestamp::fromSeconds(6);
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateDiscrepancy(found, DiscrepancyState::kOpen));
    EXPECT_EQ(tx.logistics().updateDiscrepancy(found, DiscrepancyState::kOpen).code(),
              ErrorCode::kConflict);
    CARDLINE_ASSIGN_OR_RETURN(auto resolved,
                              tx.logistics().discrepancies(DiscrepancyState::kResolved, ""));
    EXPECT_EQ(resolved.size(), 1u);
    EXPECT_EQ(resolved[0].resolution, "found");
    EXPECT_EQ(tx.logistics().findDiscrepancy(999).status().code(), ErrorCode::kNotFound);
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  Status orphan = store_->transact([&](StoreTransaction& tx) {
    Discrepancy d;
    d.box_id = "BOX-404";
    return tx.logistics().insertDiscrepancy(d).status();
  });
  EXPECT_EQ(orphan.code(), ErrorCode::kFailedPrecondition) << orphan.toString();
}

TEST_P(StoreContractTest, PurgePersonalDataErasesIdentityAndKeepsTheRest) {
  insertApplication("APP-1", "001090000001");
  Status s = store_->transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_RETURN_IF_ERROR(tx.applications().purgePersonalData("APP-1"));
    CARDLINE_RETURN_IF_ERROR(tx.applications().purgePersonalData("APP-1"));  // idempotent
    EXPECT_EQ(tx.applications().purgePersonalData("APP-404").code(), ErrorCode::kNotFound);
    CARDLINE_ASSIGN_OR_RETURN(Application a, tx.applications().find("APP-1"));
    EXPECT_TRUE(a.personal_number.empty());
    EXPECT_TRUE(a.person.full_name.empty());
    EXPECT_TRUE(a.person.place_of_residence.empty());
    EXPECT_TRUE(a.person.photo.data.empty());
    EXPECT_FALSE(a.person.fingerprint_left_index.has_value());
    EXPECT_EQ(a.receiving_unit.code, "HN-BD");
    EXPECT_EQ(a.approval_ref, "APR-APP-1");
    CARDLINE_ASSIGN_OR_RETURN(auto ids, tx.applications().idsForPersonalNumber("001090000001"));
    EXPECT_TRUE(ids.empty());
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
}

}  // namespace
}  // namespace cardline
