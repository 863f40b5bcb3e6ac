#include "mes/base/status.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) return invalidArgument("odd: " + std::to_string(v));
  return v / 2;
}

Status quarter(int v, int* out) {
  CARDLINE_ASSIGN_OR_RETURN(int h, half(v));
  CARDLINE_ASSIGN_OR_RETURN(int q, half(h));
  *out = q;
  return Status::ok();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::ok().isOk());
  Status s = notFound("no application A1");
  EXPECT_FALSE(s.isOk());
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.toString(), "not_found: no application A1");
  EXPECT_EQ(s.withContext("import").message(), "import: no application A1");
}

TEST(StatusTest, ResultPropagates) {
  int out = 0;
  EXPECT_TRUE(quarter(8, &out).isOk());
  EXPECT_EQ(out, 2);
  Status s = quarter(6, &out);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "odd: 3");
}

}  // namespace
}  // namespace cardline
