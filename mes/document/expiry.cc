#include "mes/document/expiry.h"

#include <vector>

namespace cardline {
namespace {

constexpr int kRenewalWindowYears = 2;

std::vector<int> renewalAges(CardModel model) {
  if (model == CardModel::kCanCuoc2024) return {14, 25, 40, 60};
  return {25, 40, 60};
}

}  // namespace

Result<std::optional<Date>> computeExpiryDate(const Date& birth_date, const Date& issue_date,
                                              CardModel model) {
  if (issue_date < birth_date) {
    return invalidArgument("issue date " + issue_date.toString() + " is before the birth date " +
                           birth_date.toString());
  }
  if (model == CardModel::kCccd2021 && issue_date < birth_date.plusYears(14)) {
    return invalidArgument("a 2021 model card cannot be issued to a holder under 14 (born " +
                           birth_date.toString() + ", issued " + issue_date.toString() + ")");
  }
  for (int age : renewalAges(model)) {
    if (issue_date < birth_date.plusYears(age - kRenewalWindowYears)) {
      return std::optional<Date>(birth_date.plusYears(age));
    }
  }
  return std::optional<Date>();
}

}  // namespace cardline
