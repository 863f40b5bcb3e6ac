#pragma once
// The workflow engine hook of blank stock: keeps every consumed blank's state in step with the
// card's, inside the engine's transaction.
//
//   print result with a blank serial  -> BlankStock::consumeAtPrint: issued to that device ->
//                                        personalised; otherwise flagged and refused
//                                        (kPermissionDenied: the engine records the result as
//                                        ResultDisposition::kRefused and retries the print)
//   card event "spoiled"              -> spoiled, with the event's reason and station
//   card event "passed_qa"            -> good
// A card event for a serial the stock does not know is flagged (untracked_card) and let
// through; any other failure rolls the engine's transaction back.

#include "mes/blanks/blank_stock.h"
#include "mes/workflow/engine.h"

namespace cardline {

class BlankObserver final : public TransitionObserver {
 public:
  // `stock` must outlive the observer.
  explicit BlankObserver(BlankStock& stock) : stock_(stock) {}

  Status onEvent(StoreTransaction& tx, const Event& event) override;
  Status onStationResult(StoreTransaction& tx, const StationJob& job,
                         const StationResult& result) override;

 private:
  BlankStock& stock_;
};

}  // namespace cardline
