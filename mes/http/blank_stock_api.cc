#include "mes/http/blank_stock_api.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "mes/base/date.h"

namespace cardline {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string stringify(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out);
  return out.str();
}

// The request body as a JSON object; kInvalidArgument for anything else.
Result<Object::Ptr> bodyObject(const HttpRequest& request) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(request.body.empty() ? "{}" : request.body);
    if (parsed.type() != typeid(Object::Ptr)) {
      return invalidArgument("the body is not a JSON object");
    }
    return parsed.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return invalidArgument("the body is not valid JSON: " + e.displayText());
  }
}

std::string stringField(const Object::Ptr& object, const std::string& key) {
  if (!object->has(key)) return "";
  Poco::Dynamic::Var v = object->get(key);
  return v.isString() ? v.extract<std::string>() : "";
}

// A JSON array of strings; kInvalidArgument if the field is there but is not one.
Result<std::vector<std::string>> stringList(const Object::Ptr& object, const std::string& key) {
  std::vector<std::string> out;
  if (!object->has(key)) return out;
  Array::Ptr array = object->getArray(key);
  if (array.isNull()) return invalidArgument(key + " must be an array of strings");
  for (std::size_t i = 0; i < array->size(); ++i) {
    Poco::Dynamic::Var v = array->get(static_cast<unsigned int>(i));
    if (!v.isString()) return invalidArgument(key + " must be an array of strings");
    out.push_back(v.extract<std::string>());
  }
  return out;
}

Array::Ptr toArray(const std::vector<std::string>& items) {
  Array::Ptr array = new Array;
  for (const auto& item : items) array->add(item);
  return array;
}

Object::Ptr countsObject(const ReconciliationCounts& c) {
  Object::Ptr o = new Object;
  o->set("opening", c.opening);
  o->set("received", c.received);
  o->set("good", c.good);
  o->set("spoiled", c.spoiled);
  o->set("samples", c.samples);
  o->set("returned", c.returned);
  o->set("destroyed", c.destroyed);
  o->set("in_process", c.in_process);
  o->set("on_hand", c.on_hand);
  o->set("counted", c.counted);
  o->set("difference", c.difference);
  return o;
}

Object::Ptr reconciliationObject(const Reconciliation& r) {
  Object::Ptr o = new Object;
  o->set("line", r.line);
  o->set("shift_id", r.shift_id);
  o->set("from", formatIsoTimestamp(r.from));
  o->set("to", formatIsoTimestamp(r.to));
  o->set("count_given", r.count_given);
  o->set("balanced", r.balanced());
  o->set("summary", r.summary());
  o->set("total", countsObject(r.total));
  Array::Ptr lots = new Array;
  for (const LotReconciliation& l : r.lots) {
    Object::Ptr lot = new Object;
    lot->set("lot_id", l.lot_id);
    lot->set("supplier", l.supplier);
    lot->set("chip_type", l.chip_type);
    lot->set("counts", countsObject(l.counts));
    lot->set("missing", toArray(l.missing));
    lot->set("unexpected", toArray(l.unexpected));
    lots->add(lot);
  }
  o->set("lots", lots);
  o->set("missing", toArray(r.missing));
  o->set("unexpected", toArray(r.unexpected));
  Array::Ptr flags = new Array;
  for (const BlankFlag& f : r.flags) {
    Object::Ptr flag = new Object;
    flag->set("at", formatIsoTimestamp(f.at));
    flag->set("serial", f.serial);
    flag->set("kind", std::string(name(f.kind)));
    flag->set("device_id", f.device_id);
    flag->set("detail", f.detail);
    flags->add(flag);
  }
  o->set("flags", flags);
  return o;
}

Object::Ptr lotObject(const BlankLot& lot) {
  Object::Ptr o = new Object;
  o->set("lot_id", lot.id);
  o->set("line", lot.line);
  o->set("supplier", lot.supplier);
  o->set("chip_type", lot.chip_type);
  o->set("card_model", std::string(name(lot.card_model)));
  o->set("first_serial", lot.first_serial);
  o->set("last_serial", lot.last_serial);
  o->set("quantity", lot.quantity);
  o->set("received_at", formatIsoTimestamp(lot.received_at));
  o->set("received_by", lot.received_by);
  return o;
}

HttpResponse csvResponse(const Reconciliation& r) {
  HttpResponse response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = reconciliationCsv(r);
  return response;
}

Result<std::int64_t> idParam(const HttpRequest& request, const std::string& key) {
  auto found = request.path_params.find(key);
  const std::string text = found == request.path_params.end() ? "" : found->second;
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return invalidArgument(key + " must be a positive number");
  }
  return std::stoll(text);
}

std::string query(const HttpRequest& request, const std::string& key) {
  auto found = request.query.find(key);
  return found == request.query.end() ? "" : found->second;
}

class BlankStockApi {
 public:
  BlankStockApi(Store& store, BlankStock& stock, AuditTrail& audit)
      : store_(store), stock_(stock), audit_(audit) {}

  // Runs `work` and its audit entry in one transaction; 200 with `body()` or the error.
  HttpResponse change(const Caller& caller, Action action, const std::string& subject,
                      const std::string& detail,
                      const std::function<Status(StoreTransaction&)>& work,
                      const std::function<std::string()>& body, int status = 200) {
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_RETURN_IF_ERROR(work(tx));
      return audit_.appendIn(tx, caller.user, name(action), subject, detail).status();
    });
    if (!s.isOk()) return HttpResponse::fromStatus(s);
    return HttpResponse::json(status, body());
  }

  HttpResponse receive(const HttpRequest& request, const Caller& caller) {
    Result<Object::Ptr> body = bodyObject(request);
    if (!body.isOk()) return HttpResponse::fromStatus(body.status());
    LotReceipt receipt;
    receipt.lot_id = stringField(*body, "lot_id");
    receipt.line = stringField(*body, "line");
    receipt.supplier = stringField(*body, "supplier");
    receipt.chip_type = stringField(*body, "chip_type");
    std::string model = stringField(*body, "card_model");
    if (!model.empty()) {
      Result<CardModel> parsed = parseCardModel(model);
      if (!parsed.isOk()) return HttpResponse::fromStatus(parsed.status());
      receipt.card_model = *parsed;
    }
    receipt.first_serial = stringField(*body, "first_serial");
    receipt.last_serial = stringField(*body, "last_serial");
    Result<std::vector<std::string>> serials = stringList(*body, "serials");
    if (!serials.isOk()) return HttpResponse::fromStatus(serials.status());
    receipt.serials = *serials;
    BlankLot lot;
    return change(
        caller, Action::kManageBlanks, "blank_lot/" + receipt.lot_id, stringify(*body),
        [&](StoreTransaction& tx) {
          CARDLINE_ASSIGN_OR_RETURN(lot, stock_.receive(tx, receipt, caller.user));
          return Status::ok();
        },
        [&] { return stringify(lotObject(lot)); }, 201);
  }

  HttpResponse lots() {
    std::vector<BlankLot> all;
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(all, tx.blanks().lots());
      return Status::ok();
    });
    if (!s.isOk()) return HttpResponse::fromStatus(s);
    Array::Ptr array = new Array;
    for (const BlankLot& lot : all) array->add(lotObject(lot));
    Object::Ptr o = new Object;
    o->set("lots", array);
    return HttpResponse::json(200, stringify(o));
  }

  HttpResponse serial(const HttpRequest& request) {
    BlankSerial found;
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(found, tx.blanks().findSerial(request.path_params.at("serial")));
      return Status::ok();
    });
    if (!s.isOk()) return HttpResponse::fromStatus(s);
    Object::Ptr o = new Object;
    o->set("serial", found.serial);
    o->set("lot_id", found.lot_id);
    o->set("line", found.line);
    o->set("state", std::string(name(found.state)));
    o->set("device_id", found.device_id);
    o->set("reason", found.reason);
    o->set("station", found.station);
    o->set("updated_at", formatIsoTimestamp(found.updated_at));
    return HttpResponse::json(200, stringify(o));
  }

  // The serial-list operations: issue, return, return-to-supplier, samples.
  enum class ListOp { kIssue, kReturn, kReturnToSupplier, kSample };
  HttpResponse serialList(const HttpRequest& request, const Caller& caller, ListOp op) {
    Result<Object::Ptr> body = bodyObject(request);
    if (!body.isOk()) return HttpResponse::fromStatus(body.status());
    Result<std::vector<std::string>> serials = stringList(*body, "serials");
    if (!serials.isOk()) return HttpResponse::fromStatus(serials.status());
    std::string reason = stringField(*body, "reason");
    std::string device = stringField(*body, "device_id");
    return change(
        caller, Action::kManageBlanks, "blanks", stringify(*body),
        [&](StoreTransaction& tx) {
          switch (op) {
            case ListOp::kIssue:
              return stock_.issue(tx, *serials, device, caller.user);
            case ListOp::kReturn:
              return stock_.returnToVault(tx, *serials, caller.user);
            case ListOp::kReturnToSupplier:
              return stock_.returnToSupplier(tx, *serials, reason, caller.user);
            case ListOp::kSample:
              return stock_.markSample(tx, *serials, reason, caller.user);
          }
          return internalError("unknown blank operation");
        },
        [&] { return stringify(*body); });
  }

  HttpResponse spoil(const HttpRequest& request, const Caller& caller) {
    Result<Object::Ptr> body = bodyObject(request);
    if (!body.isOk()) return HttpResponse::fromStatus(body.status());
    std::string serial = stringField(*body, "serial");
    return change(
        caller, Action::kManageBlanks, "blank/" + serial, stringify(*body),
        [&](StoreTransaction& tx) {
          return stock_.spoil(tx, serial, stringField(*body, "reason"),
                              stringField(*body, "station"), caller.user);
        },
        [&] { return stringify(*body); });
  }

  HttpResponse propose(const HttpRequest& request, const Caller& caller) {
    Result<Object::Ptr> body = bodyObject(request);
    if (!body.isOk()) return HttpResponse::fromStatus(body.status());
    Result<std::vector<std::string>> serials = stringList(*body, "serials");
    if (!serials.isOk()) return HttpResponse::fromStatus(serials.status());
    std::int64_t id = 0;
    return change(
        caller, Action::kApproveDestruction, "destruction", stringify(*body),
        [&](StoreTransaction& tx) {
          CARDLINE_ASSIGN_OR_RETURN(
              id,
              stock_.proposeDestruction(tx, *serials, stringField(*body, "reason"), caller.user));
          return Status::ok();
        },
        [&] {
          Object::Ptr o = new Object;
          o->set("destruction_id", id);
          o->set("state", "proposed");
          o->set("proposed_by", caller.user);
          return stringify(o);
        },
        201);
  }

  HttpResponse confirm(const HttpRequest& request, const Caller& caller) {
    Result<std::int64_t> id = idParam(request, "id");
    if (!id.isOk()) return HttpResponse::fromStatus(id.status());
    return change(
        caller, Action::kApproveDestruction, "destruction/" + std::to_string(*id), "{}",
        [&](StoreTransaction& tx) { return stock_.confirmDestruction(tx, *id, caller.user); },
        [&] {
          Object::Ptr o = new Object;
          o->set("destruction_id", *id);
          o->set("state", "confirmed");
          o->set("confirmed_by", caller.user);
          return stringify(o);
        });
  }

  HttpResponse openShift(const HttpRequest& request, const Caller& caller) {
    Result<Object::Ptr> body = bodyObject(request);
    if (!body.isOk()) return HttpResponse::fromStatus(body.status());
    Shift shift;
    return change(
        caller, Action::kCloseShift, "shift", stringify(*body),
        [&](StoreTransaction& tx) {
          CARDLINE_ASSIGN_OR_RETURN(shift,
                                    stock_.openShift(tx, stringField(*body, "line"), caller.user));
          return Status::ok();
        },
        [&] {
          Object::Ptr o = new Object;
          o->set("shift_id", shift.id);
          o->set("line", shift.line);
          o->set("opened_at", formatIsoTimestamp(shift.opened_at));
          o->set("opened_by", shift.opened_by);
          return stringify(o);
        },
        201);
  }

  HttpResponse closeShift(const HttpRequest& request, const Caller& caller) {
    Result<std::int64_t> id = idParam(request, "id");
    if (!id.isOk()) return HttpResponse::fromStatus(id.status());
    Result<Object::Ptr> body = bodyObject(request);
    if (!body.isOk()) return HttpResponse::fromStatus(body.status());
    Result<std::vector<std::string>> counted = stringList(*body, "counted");
    if (!counted.isOk()) return HttpResponse::fromStatus(counted.status());
    Reconciliation rec;
    HttpResponse response = change(
        caller, Action::kCloseShift, "shift/" + std::to_string(*id),
        "{\"counted\":" + std::to_string(counted->size()) + "}",
        [&](StoreTransaction& tx) {
          CARDLINE_ASSIGN_OR_RETURN(rec, stock_.closeShift(tx, *id, *counted, caller.user));
          return Status::ok();
        },
        [&] { return reconciliationJson(rec); });
    if (response.status != 409) return response;
    // Refused: show the difference in full (read-only, nothing was written).
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(rec, stock_.reconcileShift(tx, *id, *counted));
      return Status::ok();
    });
    if (!s.isOk() || rec.balanced()) return response;
    Object::Ptr o = new Object;
    Object::Ptr error = new Object;
    error->set("code", "failed_precondition");
    error->set("message", "shift " + std::to_string(*id) + " does not balance: " + rec.summary());
    o->set("error", error);
    o->set("reconciliation", reconciliationObject(rec));
    return HttpResponse::json(409, stringify(o));
  }

  HttpResponse shiftReconciliation(const HttpRequest& request) {
    Result<std::int64_t> id = idParam(request, "id");
    if (!id.isOk()) return HttpResponse::fromStatus(id.status());
    Reconciliation rec;
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(rec, stock_.reconcileShift(tx, *id, std::nullopt));
      return Status::ok();
    });
    if (!s.isOk()) return HttpResponse::fromStatus(s);
    if (query(request, "format") == "csv") return csvResponse(rec);
    return HttpResponse::json(200, reconciliationJson(rec));
  }

  HttpResponse rangeReconciliation(const HttpRequest& request) {
    Result<std::pair<Timestamp, Timestamp>> window =
        reportWindow(query(request, "from"), query(request, "to"));
    if (!window.isOk()) return HttpResponse::fromStatus(window.status());
    Reconciliation rec;
    Status s = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(
          rec, stock_.reconcileRange(tx, query(request, "line"), window->first, window->second));
      return Status::ok();
    });
    if (!s.isOk()) return HttpResponse::fromStatus(s);
    if (query(request, "format") == "csv") return csvResponse(rec);
    return HttpResponse::json(200, reconciliationJson(rec));
  }

 private:
  Store& store_;
  BlankStock& stock_;
  AuditTrail& audit_;
};

}  // namespace

std::string reconciliationJson(const Reconciliation& reconciliation) {
  return stringify(reconciliationObject(reconciliation));
}

Status registerBlankStockRoutes(Router& router, Store& store, BlankStock& stock,
                                AuditTrail& audit) {
  auto api = std::make_shared<BlankStockApi>(store, stock, audit);
  using Op = BlankStockApi::ListOp;
  auto list = [api](Op op) {
    return [api, op](const HttpRequest& r, const Caller& c) { return api->serialList(r, c, op); };
  };
  const RouteSpec specs[] = {
      {HttpMethod::kGet, "/api/v1/blanks/lots", Effect::kReadOnly, Guard::kSession,
       Action::kViewReports, [api](const HttpRequest&, const Caller&) { return api->lots(); }},
      {HttpMethod::kPost, "/api/v1/blanks/lots", Effect::kChangesState, Guard::kSession,
       Action::kManageBlanks,
       [api](const HttpRequest& r, const Caller& c) { return api->receive(r, c); }},
      {HttpMethod::kGet, "/api/v1/blanks/serials/{serial}", Effect::kReadOnly, Guard::kSession,
       Action::kViewReports, [api](const HttpRequest& r, const Caller&) { return api->serial(r); }},
      {HttpMethod::kPost, "/api/v1/blanks/issue", Effect::kChangesState, Guard::kSession,
       Action::kManageBlanks, list(Op::kIssue)},
      {HttpMethod::kPost, "/api/v1/blanks/return", Effect::kChangesState, Guard::kSession,
       Action::kManageBlanks, list(Op::kReturn)},
      {HttpMethod::kPost, "/api/v1/blanks/return-to-supplier", Effect::kChangesState,
       Guard::kSession, Action::kManageBlanks, list(Op::kReturnToSupplier)},
      {HttpMethod::kPost, "/api/v1/blanks/samples", Effect::kChangesState, Guard::kSession,
       Action::kManageBlanks, list(Op::kSample)},
      {HttpMethod::kPost, "/api/v1/blanks/spoil", Effect::kChangesState, Guard::kSession,
       Action::kManageBlanks,
       [api](const HttpRequest& r, const Caller& c) { return api->spoil(r, c); }},
      {HttpMethod::kPost, "/api/v1/blanks/destructions", Effect::kChangesState, Guard::kSession,
       Action::kApproveDestruction,
       [api](const HttpRequest& r, const Caller& c) { return api->propose(r, c); }},
      {HttpMethod::kPost, "/api/v1/blanks/destructions/{id}/confirm", Effect::kChangesState,
       Guard::kSession, Action::kApproveDestruction,
       [api](const HttpRequest& r, const Caller& c) { return api->confirm(r, c); }},
      {HttpMethod::kPost, "/api/v1/shifts", Effect::kChangesState, Guard::kSession,
       Action::kCloseShift,
       [api](const HttpRequest& r, const Caller& c) { return api->openShift(r, c); }},
      {HttpMethod::kPost, "/api/v1/shifts/{id}/close", Effect::kChangesState, Guard::kSession,
       Action::kCloseShift,
       [api](const HttpRequest& r, const Caller& c) { return api->closeShift(r, c); }},
      {HttpMethod::kGet, "/api/v1/shifts/{id}/reconciliation", Effect::kReadOnly, Guard::kSession,
       Action::kViewReports,
       [api](const HttpRequest& r, const Caller&) { return api->shiftReconciliation(r); }},
      {HttpMethod::kGet, "/api/v1/reports/reconciliation", Effect::kReadOnly, Guard::kSession,
       Action::kViewReports,
       [api](const HttpRequest& r, const Caller&) { return api->rangeReconciliation(r); }},
  };
  for (const RouteSpec& spec : specs) CARDLINE_RETURN_IF_ERROR(router.add(spec));
  return Status::ok();
}

}  // namespace cardline
