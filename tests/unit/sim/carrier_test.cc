// The card carrier store, the blank hopper and the fault/defect name tables.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "devices/sim/card_carrier.h"
#include "devices/sim/sim_defects.h"
#include "tests/unit/prep/prep_test_support.h"

namespace cardline::sim {
namespace {

TEST(HopperTest, RangeKeepsPrefixAndWidthAndSkipsConsumedBlanks) {
  prep_testing::TempDir dir;
  CardCarrier carrier(dir.path().string());
  Result<Hopper> hopper = Hopper::fromRange("VN-BLK-0098-VN-BLK-0101");
  ASSERT_TRUE(hopper.isOk()) << hopper.status().toString();
  EXPECT_EQ(hopper->size(), 4u);
  CardRecord used;
  used.serial = "VN-BLK-0099";
  ASSERT_TRUE(carrier.createCard(used).isOk());
  EXPECT_EQ(hopper->next(carrier).value(), "VN-BLK-0098");
  EXPECT_EQ(hopper->next(carrier).value(), "VN-BLK-0100");  // 0099 was consumed before
  EXPECT_EQ(hopper->next(carrier).value(), "VN-BLK-0101");
  EXPECT_EQ(hopper->next(carrier).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(Hopper::fromRange("BLK10-BLK9").isOk());
  EXPECT_FALSE(Hopper::fromRange("BLK01-CRD02").isOk());
  EXPECT_FALSE(Hopper::fromRange("BLK1-BLK02").isOk());
  EXPECT_FALSE(Hopper::fromRange("nonsense").isOk());
}

TEST(HopperTest, FileListsSerialsWithComments) {
  prep_testing::TempDir dir;
  const auto path = dir.path() / "hopper.txt";
  std::ofstream(path) << "# box 7\nA1\n\nA3\n";
  Result<Hopper> hopper = Hopper::fromFile(path.string());
  ASSERT_TRUE(hopper.isOk());
  EXPECT_EQ(hopper->size(), 2u);
  std::ofstream(path) << "A1\nnot a serial\n";
  EXPECT_EQ(Hopper::fromFile(path.string()).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Hopper::fromFile((dir.path() / "missing").string()).isOk());
}

TEST(CardCarrierTest, CardsAreConsumedOnceAndTravelInTheTray) {
  prep_testing::TempDir dir;
  CardCarrier carrier(dir.path().string());
  CardRecord r;
  r.serial = "B1";
  r.application = "APP-1";
  r.faults = {"smudge", "chip_dead"};
  ASSERT_TRUE(carrier.createCard(r).isOk());
  EXPECT_EQ(carrier.createCard(r).code(), ErrorCode::kAlreadyExists);
  r.serial = "../escape";
  EXPECT_EQ(carrier.createCard(r).code(), ErrorCode::kInvalidArgument);
  Result<CardRecord> back = carrier.readRecord("B1");
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(back->application, "APP-1");
  EXPECT_EQ(back->faults, (std::vector<std::string>{"smudge", "chip_dead"}));
  EXPECT_EQ(carrier.cardInTray("APP-1").status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(carrier.placeInTray("APP-1", "B1").isOk());
  EXPECT_EQ(carrier.cardInTray("APP-1").value(), "B1");
  ASSERT_TRUE(carrier.putFile("B1", "chip.bin", Bytes{1, 2}).isOk());
  EXPECT_EQ(carrier.getFile("B1", "chip.bin").value(), (Bytes{1, 2}));
  EXPECT_EQ(carrier.putFile("B2", "chip.bin", Bytes{1}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(carrier.serials(), (std::vector<std::string>{"B1"}));
}

TEST(SimDefectsTest, NameTablesRoundTripAndRatesAreChecked) {
  for (QaDefect d : allQaDefects()) EXPECT_EQ(parseQaDefect(name(d)).value(), d);
  for (SimFault f : allSimFaults()) {
    EXPECT_EQ(parseSimFault(name(f)).value(), f);
    EXPECT_EQ(parseQaDefect(name(expectedQaDefect(f))).value(), expectedQaDefect(f));
  }
  FaultRates rates;
  EXPECT_TRUE(addFaultRate(rates, "smudge=0.25").isOk());
  EXPECT_DOUBLE_EQ(rates.rates[SimFault::kSmudge], 0.25);
  EXPECT_FALSE(addFaultRate(rates, "smudge=1.5").isOk());
  EXPECT_FALSE(addFaultRate(rates, "smudge=").isOk());
  EXPECT_FALSE(addFaultRate(rates, "laser=0.1").isOk());
  EXPECT_FALSE(addFaultRate(rates, "smudge").isOk());
  FaultRates spread;
  spreadDefectRate(spread, FaultStation::kEncode, 0.06);
  ASSERT_EQ(spread.rates.size(), 4u);
  EXPECT_DOUBLE_EQ(spread.rates[SimFault::kChipDead], 0.015);
  EXPECT_EQ(expectedQaDefect(SimFault::kWrongAccessKeys), QaDefect::kChipAccessDenied);
}

}  // namespace
}  // namespace cardline::sim
