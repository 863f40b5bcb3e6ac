#pragma once
// Migration 0003: the rollup tables of the management reports (mes/core/rollups.h).

#include "mes/storage/migrations.h"

namespace cardline {

Migration reportRollupsMigration();

}  // namespace cardline
