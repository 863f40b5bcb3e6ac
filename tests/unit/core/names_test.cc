#include <gtest/gtest.h>

#include "mes/core/domain.h"

namespace cardline {
namespace {

TEST(NamesTest, EveryNameParsesBack) {
  for (auto v : {CardModel::kCccd2021, CardModel::kCanCuoc2024}) {
    EXPECT_EQ(*parseCardModel(name(v)), v);
  }
  for (auto v : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                 StationType::kDispatch}) {
    EXPECT_EQ(*parseStationType(name(v)), v);
  }
  for (auto v : {Role::kOperator, Role::kSupervisor, Role::kLogistics, Role::kManager,
                 Role::kAuditor, Role::kAdmin}) {
    EXPECT_EQ(*parseRole(name(v)), v);
  }
  for (auto v : {ApplicationState::kQueued, ApplicationState::kHeld, ApplicationState::kCancelled,
                 ApplicationState::kCompleted}) {
    EXPECT_EQ(*parseApplicationState(name(v)), v);
  }
}

TEST(NamesTest, UnknownNameListsTheAcceptedOnes) {
  auto r = parseCardModel("cccd-2016");
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(),
            "unknown card model \"cccd-2016\" (expected one of: cccd-2021, can-cuoc-2024)");
}

}  // namespace
}  // namespace cardline
