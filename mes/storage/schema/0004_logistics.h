#pragma once
// Migration 0004: dispatch and logistics (boxes, shipments, discrepancies).

#include "mes/storage/migrations.h"

namespace cardline {

Migration logisticsMigration();

}  // namespace cardline
