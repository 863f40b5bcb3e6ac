#include "mes/security/access_policy.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

TEST(AccessPolicyTest, NamesRoundTripForEveryAction) {
  for (Action action : allActions()) {
    auto parsed = parseAction(name(action));
    ASSERT_TRUE(parsed.isOk()) << name(action);
    EXPECT_EQ(*parsed, action);
    EXPECT_FALSE(rolesPermitted(action).empty()) << name(action) << " is permitted to nobody";
  }
  EXPECT_EQ(parseAction("root.everything").status().code(), ErrorCode::kInvalidArgument);
}

TEST(AccessPolicyTest, LeastPrivilege) {
  EXPECT_TRUE(permits({Role::kAdmin}, Action::kManageUsers));
  EXPECT_FALSE(permits({Role::kSupervisor}, Action::kManageUsers));
  EXPECT_TRUE(permits({Role::kAuditor}, Action::kVerifyAudit));
  EXPECT_FALSE(permits({Role::kOperator}, Action::kReadAudit));
  EXPECT_FALSE(permits({Role::kAdmin}, Action::kApproveDestruction));
  EXPECT_TRUE(permits({Role::kSupervisor}, Action::kApproveDestruction));
  EXPECT_FALSE(permits({}, Action::kViewOwnAccount));
  EXPECT_TRUE(permits({Role::kOperator, Role::kLogistics}, Action::kManageShipments));
  auto denied = checkPermission({Role::kOperator}, Action::kManageUsers);
  EXPECT_EQ(denied.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("user.manage"), std::string::npos);
}

TEST(AccessPolicyTest, PasswordChangeIsObjectLevel) {
  EXPECT_TRUE(checkPasswordChange("lan", {Role::kOperator}, "lan").isOk());
  EXPECT_EQ(checkPasswordChange("lan", {Role::kOperator}, "minh").code(),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(checkPasswordChange("root", {Role::kAdmin}, "minh").isOk());
}

TEST(AccessPolicyTest, PersonalDataMaskedForRolesThatDoNotNeedIt) {
  EXPECT_EQ(piiViewFor({Role::kOperator}), PiiView::kMasked);
  EXPECT_EQ(piiViewFor({Role::kManager}), PiiView::kMasked);
  EXPECT_EQ(piiViewFor({Role::kAuditor}), PiiView::kMasked);
  EXPECT_EQ(piiViewFor({Role::kLogistics}), PiiView::kFull);
  EXPECT_EQ(maskPersonalNumber("001099012345"), "001*******45");
  EXPECT_EQ(maskPersonalNumber("AB"), "**");
  EXPECT_EQ(maskName("Nguyễn Văn An"), "N. V. A.");
  EXPECT_EQ(maskName("Đặng  Ước"), "Đ. Ư.");
  EXPECT_EQ(maskFreeText("12 Phố Huế"), "***");
  EXPECT_EQ(maskFreeText(""), "");
}

}  // namespace
}  // namespace cardline
