#include "mes/intake/expiry.h"

#include <vector>

namespace cardline {

std::optional<Date> cardExpiry(CardModel model, const Date& date_of_birth, const Date& issue_date) {
  std::vector<int> ages = {25, 40, 60};
  if (model == CardModel::kCanCuoc2024) ages.insert(ages.begin(), 14);
  for (int age : ages) {
    Date birthday = date_of_birth.plusYears(age);
    if (birthday <= issue_date) continue;                          // that renewal age has passed
    if (date_of_birth.plusYears(age - 2) <= issue_date) continue;  // within 2 years before it
    return birthday;
  }
  return std::nullopt;
}

}  // namespace cardline
