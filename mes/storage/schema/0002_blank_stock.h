#pragma once
// Migration 0002: blank card stock (lots, serials, movement ledger, shifts, destructions,
// flags).

#include "mes/storage/migrations.h"

namespace cardline {

Migration blankStockMigration();

}  // namespace cardline
