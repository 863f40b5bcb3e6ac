#pragma once
// The card's expiry date. It is never an input: cardline computes it here, in one function.

#include <optional>

#include "mes/base/date.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

// Computes the expiry date of a card of `model` issued on `issue_date` to a holder born on
// `birth_date`.
//
// Rule (DOMAIN.md, from the Law on Citizen Identification 2014 and the Law on Identification
// 2023): a card must be renewed when its holder turns 25, 40 and 60; the 2024 model adds 14.
// The card is valid until the holder's birthday at the first renewal age R for which the issue
// date is before the birthday at age R - 2. In other words a card issued within the 2 years
// before a renewal age (from the birthday at R - 2, inclusive) is valid until the following
// renewal age. A card issued at 58 or later (on or after the 58th birthday) has no expiry: the
// result holds no date ("Không thời hạn" on the face, fillers in the MRZ).
// Birthdays of holders born on 29 February fall on 28 February in common years (Date::plusYears).
//
// Examples: born 1999-03-15, issued 2021-07-01 (age 22) -> 2024-03-15; born 1999-03-15, issued
// 2022-06-15 (23 years 3 months) -> 2039-03-15 (40th birthday).
//
// Fails with kInvalidArgument when the issue date is before the birth date, or when a 2021
// model card would be issued to a holder under 14 (that model exists only from 14).
Result<std::optional<Date>> computeExpiryDate(const Date& birth_date, const Date& issue_date,
                                              CardModel model);

}  // namespace cardline
