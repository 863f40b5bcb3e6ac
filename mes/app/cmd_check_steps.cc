#include "mes/app/commands_impl.h"

namespace cardline::app {

std::vector<CheckStep> checkSteps() {
  // Workflow definitions and card templates join here as their loaders land.
  return {};
}

}  // namespace cardline::app
