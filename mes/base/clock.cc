#include "mes/base/clock.h"

namespace cardline {

Timestamp SystemClock::now() const {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(since).count()};
}

}  // namespace cardline
