#pragma once
// Service levels: each application carries two deadlines, print_due (receipt → print) and
// dispatch_due (print → dispatch, set when its first card is printed). A breach is a deadline
// that has passed while the work it measures is still open. Pure functions over domain values.

#include <cstdint>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/core/domain.h"

namespace cardline {

enum class ServiceLevel {
  kReceiptToPrint,   // "receipt_to_print"
  kPrintToDispatch,  // "print_to_dispatch"
};
const char* name(ServiceLevel v);

struct Breach {
  std::string application_id;
  ServiceLevel level = ServiceLevel::kReceiptToPrint;
  Timestamp due;
  std::int64_t overdue_seconds = 0;  // now - due
};

// The open breaches of `application` as of `now`, given its cards:
// - receipt_to_print: not printed yet (dispatch_due unset) and now > print_due;
// - print_to_dispatch: printed, no card dispatched or delivered, and now > dispatch_due.
// Applications that ended (cancelled, completed) have none. A zero deadline is never breached.
std::vector<Breach> openBreaches(const Application& application, const std::vector<Card>& cards,
                                 Timestamp now);

}  // namespace cardline
