#pragma once
// The card's date of expiry — the one place the rule lives (DOMAIN.md "Expiry").
//
// A card must be renewed when its holder turns 25, 40 and 60; the 2024 model (can-cuoc-2024)
// adds 14. The card is valid until the holder's birthday at the next renewal age after the
// issue date, except that a card issued within 2 years before a renewal age (on or after the
// birthday at age − 2) is valid until the renewal age after that one. When no renewal age is
// left — a card issued at 58 or later — the card has no expiry: it prints "Không thời hạn" and
// the MRZ expiry field and its check digit are fillers '<' (the least certain part of the
// rule; see docs/intake.md). A birthday on 29 February falls on 28 February in common years.

#include <optional>

#include "mes/base/date.h"
#include "mes/core/domain.h"

namespace cardline {

// The date of expiry, or nullopt for a card without expiry. Pure; `issue_date` must not be
// before `date_of_birth` (intake validation guarantees it).
std::optional<Date> cardExpiry(CardModel model, const Date& date_of_birth, const Date& issue_date);

}  // namespace cardline
