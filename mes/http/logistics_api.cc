#include "mes/http/logistics_api.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "mes/base/date.h"
#include "mes/base/json_text.h"
#include "mes/logistics/pdf/box_documents.h"
#include "mes/logistics/trace.h"
#include "mes/security/access_policy.h"

namespace cardline {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string q(const std::string& s) { return jsonQuote(s); }

Object::Ptr bodyObject(const HttpRequest& request) {
  Poco::JSON::Parser parser;
  Poco::Dynamic::Var parsed = parser.parse(request.body.empty() ? "{}" : request.body);
  Object::Ptr object = parsed.extract<Object::Ptr>();
  if (object.isNull()) throw Poco::InvalidArgumentException("the body is not a JSON object");
  return object;
}

std::string stringField(const Object::Ptr& object, const std::string& key) {
  if (!object->has(key)) return "";
  Poco::Dynamic::Var v = object->get(key);
  return v.isString() ? v.extract<std::string>() : "";
}

std::vector<std::string> stringList(const Object::Ptr& object, const std::string& key) {
  std::vector<std::string> out;
  Array::Ptr array = object->has(key) ? object->getArray(key) : nullptr;
  if (array.isNull()) return out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    Poco::Dynamic::Var v = array->get(static_cast<unsigned>(i));
    if (v.isString()) out.push_back(v.extract<std::string>());
  }
  return out;
}

// A handler body that may fail with a Status; bad JSON answers 400.
using Body = std::function<Result<std::string>(const HttpRequest&, const Caller&)>;
HttpHandler handler(int ok_status, Body body) {
  return [ok_status, body = std::move(body)](const HttpRequest& request, const Caller& caller) {
    try {
      Result<std::string> result = body(request, caller);
      if (!result.isOk()) return HttpResponse::fromStatus(result.status());
      return HttpResponse::json(ok_status, std::move(result).value());
    } catch (const Poco::Exception& e) {
      return HttpResponse::error(400, "invalid_argument", "bad request body: " + e.displayText());
    }
  };
}

std::string boxJson(const Box& b) {
  return "{\"id\":" + q(b.id) + ",\"receiving_unit_code\":" + q(b.receiving_unit_code) +
         ",\"receiving_unit_name\":" + q(b.receiving_unit_name) + ",\"state\":\"" +
         name(b.state) + "\",\"capacity\":" + std::to_string(b.capacity) +
         ",\"card_count\":" + std::to_string(b.card_count) + ",\"seal_number\":" +
         q(b.seal_number) + ",\"shipment_id\":" + q(b.shipment_id) + ",\"created_at\":" +
         q(formatIsoTimestamp(b.created_at)) + "}";
}

std::string shipmentJson(const Shipment& s) {
  return "{\"id\":" + q(s.id) + ",\"carrier\":" + q(s.carrier) + ",\"tracking_number\":" +
         q(s.tracking_number) + ",\"state\":\"" + name(s.state) + "\",\"handed_over_by\":" +
         q(s.handed_over_by) + ",\"handed_over_at\":" + q(formatIsoTimestamp(s.handed_over_at)) +
         ",\"due_at\":" + q(formatIsoTimestamp(s.due_at)) + "}";
}

std::string discrepancyJson(const Discrepancy& d) {
  std::string serials = "[";
  for (std::size_t i = 0; i < d.missing_serials.size(); ++i) {
    serials += (i == 0 ? "" : ",") + q(d.missing_serials[i]);
  }
  return "{\"id\":" + std::to_string(d.id) + ",\"box_id\":" + q(d.box_id) +
         ",\"missing_serials\":" + serials + "],\"note\":" + q(d.note) + ",\"state\":\"" +
         name(d.state) + "\",\"reported_by\":" + q(d.reported_by) + ",\"resolution\":" +
         q(d.resolution) + "}";
}

std::string eventJson(const Event& e) {
  return "{\"seq\":" + std::to_string(e.seq) + ",\"at\":" + q(formatIsoTimestamp(e.at)) +
         ",\"subject_type\":" + q(e.subject_type) + ",\"subject_id\":" + q(e.subject_id) +
         ",\"kind\":" + q(e.kind) + ",\"actor\":" + q(e.actor) + "}";
}

template <typename T, typename F>
std::string jsonArray(const std::vector<T>& items, F to_json) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ",") + to_json(items[i]);
  return out + "]";
}

}  // namespace

Status registerLogisticsRoutes(Router& router, Store& store, LogisticsService& service,
                               const Clock& clock, AuditAppender audit_appender) {
  Store* st = &store;
  LogisticsService* svc = &service;
  const Clock* clk = &clock;
  auto audit = std::make_shared<AuditAppender>(std::move(audit_appender));

  auto listBoxes = [st](const HttpRequest& r, const Caller&) -> Result<std::string> {
    auto state_it = r.query.find("state");
    CARDLINE_ASSIGN_OR_RETURN(
        BoxState state, parseBoxState(state_it == r.query.end() ? "open" : state_it->second));
    auto unit_it = r.query.find("unit");
    const std::string unit = unit_it == r.query.end() ? "" : unit_it->second;
    std::vector<Box> boxes;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(boxes, tx.logistics().boxesInState(state, unit));
      return Status::ok();
    }));
    return "{\"boxes\":" + jsonArray(boxes, boxJson) + "}";
  };
  auto openBox = [st, svc, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    Object::Ptr body = bodyObject(r);
    ReceivingUnit unit{stringField(body, "receiving_unit_code"),
                       stringField(body, "receiving_unit_name")};
    Box box;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(box, svc->openBox(tx, unit, c.user));
      return (*audit)(tx, c.user, "box.open", box.id,
                      "{\"receiving_unit\":" + q(box.receiving_unit_code) + "}");
    }));
    return boxJson(box);
  };
  auto getBox = [st, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    const std::string id = r.path_params.at("id");
    const bool full = piiViewFor(c.roles) == PiiView::kFull;
    Box box;
    std::vector<ManifestLine> lines;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(box, tx.logistics().findBox(id));
      CARDLINE_ASSIGN_OR_RETURN(lines, manifestLines(tx, id));
      if (lines.empty()) return Status::ok();  // no personal data shown
      std::string ids;
      for (const ManifestLine& l : lines) ids += (ids.empty() ? "" : ",") + q(l.application_id);
      auto reason = r.query.find("reason");
      return (*audit)(tx, c.user, "pii.lookup", "box:" + id,
                      "{\"matched_by\":\"box_id\",\"applications\":[" + ids +
                          "],\"view\":\"" + (full ? "full" : "masked") + "\"" +
                          (reason == r.query.end() ? std::string()
                                                   : ",\"reason\":" + q(reason->second)) +
                          "}");
    }));
    std::string cards = "[";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const ManifestLine& l = lines[i];
      cards += std::string(i == 0 ? "" : ",") + "{\"serial\":" + q(l.serial) +
               ",\"application_id\":" + q(l.application_id) + ",\"personal_number\":" +
               q(l.personal_number_masked) + ",\"full_name\":" +
               q(full ? l.full_name : maskName(l.full_name)) + "}";
    }
    return "{\"box\":" + boxJson(box) + ",\"cards\":" + cards + "]}";
  };
  auto scanCard = [st, svc, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    Object::Ptr body = bodyObject(r);
    const std::string serial = stringField(body, "serial");
    if (serial.empty()) return invalidArgument("serial is required");
    Box box;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(box, svc->packCard(tx, serial, r.path_params.at("id"), c.user));
      return (*audit)(tx, c.user, "box.pack", box.id, "{\"serial\":" + q(serial) + "}");
    }));
    return boxJson(box);
  };
  auto closeBox = [st, svc, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    Object::Ptr body = bodyObject(r);
    Box box;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(box, svc->closeBox(tx, r.path_params.at("id"),
                                                   stringField(body, "seal_number"), c.user));
      return (*audit)(tx, c.user, "box.close", box.id,
                      "{\"seal_number\":" + q(box.seal_number) + "}");
    }));
    return boxJson(box);
  };
  auto deliver = [st, svc, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    Object::Ptr body = bodyObject(r);
    DeliveryConfirmation confirmation{r.path_params.at("id"), c.user, c.roles,
                                      stringList(body, "missing_serials"),
                                      stringField(body, "note")};
    DeliveryOutcome outcome;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(outcome, svc->confirmDelivery(tx, confirmation));
      std::string missing;
      for (const auto& s : confirmation.missing_serials) missing += (missing.empty() ? "" : ",") + q(s);
      return (*audit)(tx, c.user, "box.delivered", outcome.box.id,
                      "{\"delivered\":" + std::to_string(outcome.delivered_serials.size()) +
                          ",\"missing\":[" + missing + "],\"discrepancy_id\":" +
                          std::to_string(outcome.discrepancy_id) + "}");
    }));
    return "{\"box\":" + boxJson(outcome.box) +
           ",\"delivered\":" + std::to_string(outcome.delivered_serials.size()) +
           ",\"discrepancy_id\":" + std::to_string(outcome.discrepancy_id) +
           ",\"shipment_delivered\":" + (outcome.shipment_delivered ? "true" : "false") + "}";
  };
  auto handOver = [st, svc, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    Object::Ptr body = bodyObject(r);
    HandOver h{stringList(body, "box_ids"), stringField(body, "carrier"),
               stringField(body, "tracking_number"), c.user};
    Shipment shipment;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(shipment, svc->handOver(tx, h));
      std::string boxes;
      for (const auto& b : h.box_ids) boxes += (boxes.empty() ? "" : ",") + q(b);
      return (*audit)(tx, c.user, "shipment.hand_over", shipment.id,
                      "{\"carrier\":" + q(h.carrier) + ",\"tracking_number\":" +
                          q(h.tracking_number) + ",\"boxes\":[" + boxes + "]}");
    }));
    return shipmentJson(shipment);
  };
  auto setStatus = [st, svc, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    Object::Ptr body = bodyObject(r);
    CARDLINE_ASSIGN_OR_RETURN(ShipmentState to, parseShipmentState(stringField(body, "state")));
    Shipment shipment;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(shipment,
                                svc->setShipmentState(tx, r.path_params.at("id"), to, c.user));
      return (*audit)(tx, c.user, "shipment.status", shipment.id,
                      std::string("{\"state\":\"") + name(to) + "\"}");
    }));
    return shipmentJson(shipment);
  };
  auto overdue = [st, svc](const HttpRequest&, const Caller&) -> Result<std::string> {
    std::vector<OverdueShipment> late;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(late, svc->overdue(tx));
      return Status::ok();
    }));
    return "{\"overdue\":" + jsonArray(late, [](const OverdueShipment& o) {
             return "{\"shipment\":" + shipmentJson(o.shipment) +
                    ",\"overdue_seconds\":" + std::to_string(o.overdue_seconds) + "}";
           }) + "}";
  };
  auto listDiscrepancies = [st](const HttpRequest&, const Caller&) -> Result<std::string> {
    std::vector<Discrepancy> open;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(open, tx.logistics().discrepancies(DiscrepancyState::kOpen, ""));
      return Status::ok();
    }));
    return "{\"discrepancies\":" + jsonArray(open, discrepancyJson) + "}";
  };
  auto resolve = [st, svc, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    Object::Ptr body = bodyObject(r);
    const std::string id_text = r.path_params.at("id");
    char* end = nullptr;
    const long long id = std::strtoll(id_text.c_str(), &end, 10);
    if (end == id_text.c_str() || *end != '\0') return invalidArgument("bad discrepancy id");
    CARDLINE_ASSIGN_OR_RETURN(DiscrepancyResolution resolution,
                              parseDiscrepancyResolution(stringField(body, "resolution")));
    Discrepancy d;
    CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(d, svc->resolveDiscrepancy(tx, id, resolution,
                                                           stringField(body, "note"), c.user,
                                                           c.roles));
      return (*audit)(tx, c.user, "discrepancy.resolve", "discrepancy:" + id_text,
                      std::string("{\"resolution\":\"") + name(resolution) + "\",\"box\":" +
                          q(d.box_id) + "}");
    }));
    return discrepancyJson(d);
  };
  auto track = [st, clk, audit](const HttpRequest& r, const Caller& c) -> Result<std::string> {
    auto it = r.query.find("q");
    if (it == r.query.end() || it->second.empty()) return invalidArgument("q is required");
    auto reason_it = r.query.find("reason");
    const std::string reason = reason_it == r.query.end() ? "" : reason_it->second;
    const bool full = piiViewFor(c.roles) == PiiView::kFull;
    TraceReport report;
    Status traced = st->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(report, trace(tx, it->second, clk->now()));
      return (*audit)(tx, c.user, "pii.lookup", "track",
                      lookupAuditDetail(it->second, &report, full, reason));
    });
    if (traced.code() == ErrorCode::kNotFound) {
      // A look-up that found nothing is recorded too (who searched for what).
      CARDLINE_RETURN_IF_ERROR(st->transact([&](StoreTransaction& tx) -> Status {
        return (*audit)(tx, c.user, "pii.lookup", "track",
                        lookupAuditDetail(it->second, nullptr, full, reason));
      }));
    }
    CARDLINE_RETURN_IF_ERROR(traced);
    std::string apps = "[";
    for (std::size_t i = 0; i < report.applications.size(); ++i) {
      const TracedApplication& a = report.applications[i];
      apps += std::string(i == 0 ? "" : ",") + "{\"id\":" + q(a.id) + ",\"personal_number\":" +
              q(full ? a.personal_number : maskPersonalNumber(a.personal_number)) +
              ",\"full_name\":" + q(full ? a.full_name : maskName(a.full_name)) +
              ",\"receiving_unit\":" + q(a.receiving_unit.code) + ",\"step\":" + q(a.step) +
              ",\"state\":\"" + name(a.state) + "\",\"location\":" + q(a.location) + "}";
    }
    return "{\"query\":" + q(report.query) + ",\"matched_by\":\"" + name(report.key) +
           "\",\"location\":" + q(report.location) + ",\"applications\":" + apps +
           "],\"boxes\":" + jsonArray(report.boxes, boxJson) +
           ",\"shipments\":" + jsonArray(report.shipments, shipmentJson) +
           ",\"history\":" + jsonArray(report.history, eventJson) + "}";
  };

  const RouteSpec specs[] = {
      {HttpMethod::kGet, "/api/v1/boxes", Effect::kReadOnly, Guard::kSession, Action::kTraceCard,
       handler(200, listBoxes)},
      {HttpMethod::kPost, "/api/v1/boxes", Effect::kChangesState, Guard::kSession,
       Action::kManageShipments, handler(201, openBox)},
      {HttpMethod::kGet, "/api/v1/boxes/{id}", Effect::kReadOnly, Guard::kSession,
       Action::kTraceCard, handler(200, getBox)},
      {HttpMethod::kPost, "/api/v1/boxes/{id}/cards", Effect::kChangesState, Guard::kSession,
       Action::kManageShipments, handler(200, scanCard)},
      {HttpMethod::kPost, "/api/v1/boxes/{id}/close", Effect::kChangesState, Guard::kSession,
       Action::kManageShipments, handler(200, closeBox)},
      {HttpMethod::kPost, "/api/v1/boxes/{id}/delivery", Effect::kChangesState, Guard::kSession,
       Action::kManageShipments, handler(200, deliver)},
      {HttpMethod::kPost, "/api/v1/shipments", Effect::kChangesState, Guard::kSession,
       Action::kManageShipments, handler(201, handOver)},
      {HttpMethod::kPost, "/api/v1/shipments/{id}/status", Effect::kChangesState,
       Guard::kSession, Action::kManageShipments, handler(200, setStatus)},
      {HttpMethod::kGet, "/api/v1/shipments/overdue", Effect::kReadOnly, Guard::kSession,
       Action::kTraceCard, handler(200, overdue)},
      {HttpMethod::kGet, "/api/v1/discrepancies", Effect::kReadOnly, Guard::kSession,
       Action::kTraceCard, handler(200, listDiscrepancies)},
      {HttpMethod::kPost, "/api/v1/discrepancies/{id}/resolve", Effect::kChangesState,
       Guard::kSession, Action::kManageShipments, handler(200, resolve)},
      {HttpMethod::kGet, "/api/v1/track", Effect::kReadOnly, Guard::kSession, Action::kTraceCard,
       handler(200, track)},
  };
  for (const RouteSpec& spec : specs) CARDLINE_RETURN_IF_ERROR(router.add(spec));
  return Status::ok();
}

}  // namespace cardline
