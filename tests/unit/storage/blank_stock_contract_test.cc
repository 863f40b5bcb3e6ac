// The BlankStockRepository contract (mes/core/blank_stock.h), on every backend of the storage
// contract suite (SQLite here; MariaDB in tests/integration/storage).

#include <gtest/gtest.h>

#include "mes/core/blank_stock.h"
#include "tests/unit/storage/store_fixture.h"

namespace cardline {
namespace {

BlankLot makeLot(const std::string& id, const std::string& line) {
  BlankLot lot;
  lot.id = id;
  lot.line = line;
  lot.supplier = "Supplier Ltd";
  lot.chip_type = "P71 D600";
  lot.card_model = CardModel::kCanCuoc2024;
  lot.first_serial = id + "-1";
  lot.last_serial = id + "-3";
  lot.quantity = 3;
  lot.received_at = Timestamp::fromSeconds(1767225600);
  lot.received_by = "sup1";
  return lot;
}

std::vector<std::string> serialsOf(const std::string& lot) {
  return {lot + "-1", lot + "-2", lot + "-3"};
}

TEST_P(StoreContractTest, BlankLotRoundTripsAndRejectsDuplicates) {
  ASSERT_TRUE(store_
                  ->transact([&](StoreTransaction& tx) {
                    return tx.blanks().insertLot(makeLot("L1", "line-1"), serialsOf("L1"),
                                                 BlankState::kInVault);
                  })
                  .isOk());
  Status again = store_->transact([&](StoreTransaction& tx) {
    return tx.blanks().insertLot(makeLot("L1", "line-1"), {"X-1"}, BlankState::kInVault);
  });
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
  Status serial_taken = store_->transact([&](StoreTransaction& tx) {
    return tx.blanks().insertLot(makeLot("L2", "line-1"), {"L1-2"}, BlankState::kInVault);
  });
  EXPECT_EQ(serial_taken.code(), ErrorCode::kAlreadyExists);

  Status read = store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(BlankLot lot, tx.blanks().findLot("L1"));
    EXPECT_EQ(lot.line, "line-1");
    EXPECT_EQ(lot.supplier, "Supplier Ltd");
    EXPECT_EQ(lot.chip_type, "P71 D600");
    EXPECT_EQ(lot.card_model, CardModel::kCanCuoc2024);
    EXPECT_EQ(lot.first_serial, "L1-1");
    EXPECT_EQ(lot.last_serial, "L1-3");
    EXPECT_EQ(lot.quantity, 3);
    EXPECT_EQ(lot.received_at, Timestamp::fromSeconds(1767225600));
    EXPECT_EQ(lot.received_by, "sup1");
    CARDLINE_ASSIGN_OR_RETURN(std::vector<BlankLot> all, tx.blanks().lots());
    EXPECT_EQ(all.size(), 1u);  // the refused L2 left nothing behind
    EXPECT_EQ(tx.blanks().findLot("L2").status().code(), ErrorCode::kNotFound);
    CARDLINE_ASSIGN_OR_RETURN(BlankSerial serial, tx.blanks().findSerial("L1-2"));
    EXPECT_EQ(serial.lot_id, "L1");
    EXPECT_EQ(serial.line, "line-1");
    EXPECT_EQ(serial.state, BlankState::kInVault);
    EXPECT_EQ(serial.device_id, "");
    EXPECT_EQ(tx.blanks().findSerial("nope").status().code(), ErrorCode::kNotFound);
    return Status::ok();
  });
  EXPECT_TRUE(read.isOk()) << read.toString();
}

TEST_P(StoreContractTest, BlankSerialUpdateIsConditional) {
  Status s = store_->transact([&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(
        tx.blanks().insertLot(makeLot("L1", "line-1"), serialsOf("L1"), BlankState::kInVault));
    BlankSerial to;
    to.serial = "L1-1";
    to.state = BlankState::kIssued;
    to.device_id = "printer-1";
    to.updated_at = Timestamp::fromSeconds(1767229200);
    CARDLINE_RETURN_IF_ERROR(tx.blanks().updateSerial(BlankState::kInVault, to));
    EXPECT_EQ(tx.blanks().updateSerial(BlankState::kInVault, to).code(), ErrorCode::kConflict);
    to.serial = "missing";
    EXPECT_EQ(tx.blanks().updateSerial(BlankState::kInVault, to).code(), ErrorCode::kNotFound);
    CARDLINE_ASSIGN_OR_RETURN(BlankSerial read, tx.blanks().findSerial("L1-1"));
    EXPECT_EQ(read.state, BlankState::kIssued);
    EXPECT_EQ(read.device_id, "printer-1");
    EXPECT_EQ(read.updated_at, Timestamp::fromSeconds(1767229200));
    CARDLINE_ASSIGN_OR_RETURN(auto issued,
                              tx.blanks().serialsInState("line-1", BlankState::kIssued));
    EXPECT_EQ(issued.size(), 1u);
    CARDLINE_ASSIGN_OR_RETURN(auto vault, tx.blanks().serialsInState("", BlankState::kInVault));
    EXPECT_EQ(vault.size(), 2u);
    CARDLINE_ASSIGN_OR_RETURN(auto other,
                              tx.blanks().serialsInState("line-2", BlankState::kInVault));
    EXPECT_TRUE(other.empty());
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
}

TEST_P(StoreContractTest, BlankMovementsAreOrderedAndFiltered) {
  Status s = store_->transact([&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(
        tx.blanks().insertLot(makeLot("L1", "line-1"), serialsOf("L1"), BlankState::kInVault));
    CARDLINE_RETURN_IF_ERROR(
        tx.blanks().insertLot(makeLot("L2", "line-2"), serialsOf("L2"), BlankState::kInVault));
    EXPECT_EQ(*tx.blanks().lastSeq(), 0);
    BlankMovement m;
    m.at = Timestamp::fromSeconds(100);
    m.serial = "L1-1";
    m.lot_id = "L1";
    m.line = "line-1";
    m.to = BlankState::kInVault;
    m.actor = "sup1";
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t first, tx.blanks().appendMovement(m));
    m.at = Timestamp::fromSeconds(200);
    m.from = BlankState::kInVault;
    m.to = BlankState::kSpoiled;
    m.reason = "scratched";
    m.station = "vault";
    m.device_id = "printer-1";
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t second, tx.blanks().appendMovement(m));
    m.serial = "L2-1";
    m.lot_id = "L2";
    m.line = "line-2";
    m.at = Timestamp::fromSeconds(300);
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t third, tx.blanks().appendMovement(m));
    EXPECT_LT(first, second);
    EXPECT_LT(second, third);
    EXPECT_EQ(*tx.blanks().lastSeq(), third);
    EXPECT_EQ(*tx.blanks().lastSeqBefore(Timestamp::fromSeconds(200)), first);
    EXPECT_EQ(*tx.blanks().lastSeqBefore(Timestamp::fromSeconds(50)), 0);

    CARDLINE_ASSIGN_OR_RETURN(auto line1, tx.blanks().movements("line-1", third));
    EXPECT_EQ(line1.size(), 2u);
    CARDLINE_ASSIGN_OR_RETURN(auto all_upto_first, tx.blanks().movements("", first));
    EXPECT_EQ(all_upto_first.size(), 1u);
    CARDLINE_ASSIGN_OR_RETURN(auto all, tx.blanks().movements("", third));
    EXPECT_EQ(all.size(), 3u);
    if (line1.size() == 2u) {
      EXPECT_FALSE(line1[0].from.has_value());
      EXPECT_EQ(line1[1].from, BlankState::kInVault);
      EXPECT_EQ(line1[1].to, BlankState::kSpoiled);
      EXPECT_EQ(line1[1].reason, "scratched");
      EXPECT_EQ(line1[1].station, "vault");
      EXPECT_EQ(line1[1].device_id, "printer-1");
      EXPECT_EQ(line1[1].actor, "sup1");
      EXPECT_EQ(line1[1].at, Timestamp::fromSeconds(200));
    }
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
}

TEST_P(StoreContractTest, ShiftsOpenAndCloseOnce) {
  Status s = store_->transact([&](StoreTransaction& tx) {
    EXPECT_EQ(tx.blanks().openShift("line-1").status().code(), ErrorCode::kNotFound);
    Shift shift;
    shift.line = "line-1";
    shift.opened_at = Timestamp::fromSeconds(100);
    shift.opened_by = "sup1";
    shift.opened_seq = 7;
    CARDLINE_ASSIGN_OR_RETURN(shift.id, tx.blanks().insertShift(shift));
    CARDLINE_ASSIGN_OR_RETURN(Shift open, tx.blanks().openShift("line-1"));
    EXPECT_EQ(open.id, shift.id);
    EXPECT_EQ(open.state, ShiftState::kOpen);
    EXPECT_EQ(open.opened_seq, 7);
    EXPECT_TRUE(open.counted.empty());
    shift.state = ShiftState::kClosed;
    shift.closed_at = Timestamp::fromSeconds(200);
    shift.closed_by = "sup2";
    shift.closed_seq = 9;
    shift.counted = {"A-1", "A-2"};
    CARDLINE_RETURN_IF_ERROR(tx.blanks().closeShift(shift));
    EXPECT_EQ(tx.blanks().closeShift(shift).code(), ErrorCode::kConflict);
    Shift missing = shift;
    missing.id = shift.id + 100;
    EXPECT_EQ(tx.blanks().closeShift(missing).code(), ErrorCode::kNotFound);
    CARDLINE_ASSIGN_OR_RETURN(Shift closed, tx.blanks().findShift(shift.id));
    EXPECT_EQ(closed.state, ShiftState::kClosed);
    EXPECT_EQ(closed.closed_by, "sup2");
    EXPECT_EQ(closed.closed_seq, 9);
    EXPECT_EQ(closed.closed_at, Timestamp::fromSeconds(200));
    EXPECT_EQ(closed.counted, (std::vector<std::string>{"A-1", "A-2"}));
    EXPECT_EQ(tx.blanks().openShift("line-1").status().code(), ErrorCode::kNotFound);
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
}

TEST_P(StoreContractTest, DestructionsAreConfirmedOnce) {
  Status s = store_->transact([&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(
        tx.blanks().insertLot(makeLot("L1", "line-1"), serialsOf("L1"), BlankState::kSpoiled));
    Destruction d;
    d.serials = {"L1-1", "L1-2"};
    d.reason = "spoils of week 1";
    d.proposed_by = "sup1";
    d.proposed_at = Timestamp::fromSeconds(100);
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, tx.blanks().insertDestruction(d));
    CARDLINE_ASSIGN_OR_RETURN(auto pending, tx.blanks().pendingDestructionsOf("L1-2"));
    EXPECT_EQ(pending, (std::vector<std::int64_t>{id}));
    CARDLINE_ASSIGN_OR_RETURN(auto none, tx.blanks().pendingDestructionsOf("L1-3"));
    EXPECT_TRUE(none.empty());
    CARDLINE_RETURN_IF_ERROR(
        tx.blanks().confirmDestruction(id, "sup2", Timestamp::fromSeconds(200)));
    EXPECT_EQ(tx.blanks().confirmDestruction(id, "sup3", Timestamp::fromSeconds(300)).code(),
              ErrorCode::kConflict);
    EXPECT_EQ(tx.blanks().confirmDestruction(id + 50, "sup3", Timestamp{}).code(),
              ErrorCode::kNotFound);
    CARDLINE_ASSIGN_OR_RETURN(Destruction read, tx.blanks().findDestruction(id));
    EXPECT_EQ(read.state, DestructionState::kConfirmed);
    EXPECT_EQ(read.serials, (std::vector<std::string>{"L1-1", "L1-2"}));
    EXPECT_EQ(read.proposed_by, "sup1");
    EXPECT_EQ(read.confirmed_by, "sup2");
    EXPECT_EQ(read.confirmed_at, Timestamp::fromSeconds(200));
    EXPECT_EQ(read.reason, "spoils of week 1");
    CARDLINE_ASSIGN_OR_RETURN(auto after, tx.blanks().pendingDestructionsOf("L1-2"));
    EXPECT_TRUE(after.empty());
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
}

TEST_P(StoreContractTest, BlankFlagsByWindowAndLine) {
  Status s = store_->transact([&](StoreTransaction& tx) {
    BlankFlag f;
    f.at = Timestamp::fromSeconds(100);
    f.serial = "X-1";
    f.line = "line-1";
    f.kind = BlankFlagKind::kConsumedTwice;
    f.device_id = "printer-1";
    f.detail = "serial is good";
    CARDLINE_RETURN_IF_ERROR(tx.blanks().appendFlag(f).status());
    f.at = Timestamp::fromSeconds(200);
    f.line = "line-2";
    f.kind = BlankFlagKind::kUnknownSerial;
    CARDLINE_RETURN_IF_ERROR(tx.blanks().appendFlag(f).status());
    CARDLINE_ASSIGN_OR_RETURN(auto all,
                              tx.blanks().flags("", Timestamp{}, Timestamp::fromSeconds(300)));
    EXPECT_EQ(all.size(), 2u);
    CARDLINE_ASSIGN_OR_RETURN(
        auto line1, tx.blanks().flags("line-1", Timestamp{}, Timestamp::fromSeconds(300)));
    EXPECT_EQ(line1.size(), 1u);
    if (!line1.empty()) {
      EXPECT_EQ(line1[0].kind, BlankFlagKind::kConsumedTwice);
      EXPECT_EQ(line1[0].device_id, "printer-1");
      EXPECT_EQ(line1[0].detail, "serial is good");
      EXPECT_EQ(line1[0].at, Timestamp::fromSeconds(100));
    }
    CARDLINE_ASSIGN_OR_RETURN(auto window, tx.blanks().flags("", Timestamp::fromSeconds(150),
                                                             Timestamp::fromSeconds(200)));
    EXPECT_TRUE(window.empty());  // the end is exclusive
    return Status::ok();
  });
  EXPECT_TRUE(s.isOk()) << s.toString();
}

}  // namespace
}  // namespace cardline
