#include "mes/workflow/service_level.h"

namespace cardline {

const char* name(ServiceLevel v) {
  switch (v) {
    case ServiceLevel::kReceiptToPrint:
      return "receipt_to_print";
    case ServiceLevel::kPrintToDispatch:
      return "print_to_dispatch";
  }
  return "?";
}

std::vector<Breach> openBreaches(const Application& application, const std::vector<Card>& cards,
                                 Timestamp now) {
  std::vector<Breach> out;
  if (application.state == ApplicationState::kCancelled ||
      application.state == ApplicationState::kCompleted) {
    return out;
  }
  auto overdue = [&](ServiceLevel level, Timestamp due) {
    if (due.micros != 0 && now > due) {
      out.push_back(Breach{application.id, level, due, (now.micros - due.micros) / 1000000});
    }
  };
  if (application.dispatch_due.micros == 0) {
    overdue(ServiceLevel::kReceiptToPrint, application.print_due);
    return out;
  }
  for (const Card& card : cards) {
    if (card.state == CardState::kDispatched || card.state == CardState::kDelivered) return out;
  }
  overdue(ServiceLevel::kPrintToDispatch, application.dispatch_due);
  return out;
}

}  // namespace cardline
