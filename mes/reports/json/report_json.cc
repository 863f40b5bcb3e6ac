#include "mes/reports/json/report_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace cardline {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Object::Ptr label(const Label& l) {
  Object::Ptr o = newObject();
  o->set("vi", l.vi);
  o->set("en", l.en);
  return o;
}

Object::Ptr byStation(const std::array<std::int64_t, 4>& values) {
  Object::Ptr o = newObject();
  for (StationType s : kReportStations) o->set(name(s), values[static_cast<std::size_t>(s)]);
  return o;
}

Object::Ptr axis(const ChartAxis& a) {
  Object::Ptr o = newObject();
  o->set("title", label(a.title));
  o->set("unit", a.unit);
  return o;
}

Object::Ptr figuresJson(const Figures& f) {
  Object::Ptr o = newObject();
  o->set("total_jobs", f.total_jobs);
  o->set("total_rejects", f.total_rejects);
  o->set("cards_printed_ok", f.cards_printed_ok);
  o->set("cards_dispatched", f.cards_dispatched);
  Array::Ptr stations = new Array;
  for (const StationFigures& s : f.stations) {
    Object::Ptr j = newObject();
    j->set("station", std::string(name(s.station)));
    j->set("jobs", s.jobs);
    j->set("ok", s.ok);
    j->set("rejects", s.rejects);
    j->set("first_pass_jobs", s.first_pass_jobs);
    j->set("first_pass_ok", s.first_pass_ok);
    j->set("first_pass_yield", s.first_pass_yield);
    j->set("active_hours", s.active_hours);
    j->set("jobs_per_active_hour", s.jobs_per_active_hour);
    j->set("peak_hour_jobs", s.peak_hour_jobs);
    stations->add(j);
  }
  o->set("stations", stations);
  Array::Ptr hours = new Array;
  for (std::size_t h = 0; h < f.hour_of_day.size(); ++h) {
    Object::Ptr j = newObject();
    j->set("hour", static_cast<int>(h));
    j->set("jobs", byStation(f.hour_of_day[h]));
    hours->add(j);
  }
  o->set("hour_of_day", hours);
  Array::Ptr shifts = new Array;
  for (const ShiftThroughput& s : f.shifts) {
    Object::Ptr j = newObject();
    j->set("shift", s.shift);
    j->set("jobs", byStation(s.jobs));
    shifts->add(j);
  }
  o->set("shifts", shifts);
  Array::Ptr days = new Array;
  for (const DayThroughput& d : f.days) {
    Object::Ptr j = newObject();
    j->set("day", d.day.toString());
    j->set("jobs", byStation(d.jobs));
    days->add(j);
  }
  o->set("days", days);
  Array::Ptr pareto = new Array;
  for (const ParetoRow& r : f.pareto) {
    Object::Ptr j = newObject();
    j->set("station", std::string(name(r.station)));
    j->set("code", r.code);
    j->set("count", r.count);
    j->set("share", r.share);
    j->set("cumulative_share", r.cumulative_share);
    pareto->add(j);
  }
  o->set("pareto", pareto);
  Object::Ptr wip = newObject();
  wip->set("ready", byStation(f.wip.ready));
  wip->set("leased", byStation(f.wip.leased));
  wip->set("held", f.wip.held);
  o->set("wip", wip);
  Array::Ptr cycle = new Array;
  for (const CycleFigures& c : f.cycle) {
    Object::Ptr j = newObject();
    j->set("segment", std::string(name(c.segment)));
    j->set("samples", c.samples);
    j->set("p50_seconds", c.p50_seconds);
    j->set("p90_seconds", c.p90_seconds);
    j->set("p95_seconds", c.p95_seconds);
    j->set("service_level_seconds", c.service_level_seconds);
    j->set("within_service_level", c.within_service_level);
    cycle->add(j);
  }
  o->set("cycle", cycle);
  Array::Ptr devices = new Array;
  for (const DeviceFigures& d : f.devices) {
    Object::Ptr j = newObject();
    j->set("device_id", d.device_id);
    j->set("station", std::string(name(d.station)));
    j->set("busy_seconds", d.busy_seconds);
    j->set("idle_seconds", d.idle_seconds);
    j->set("fault_seconds", d.fault_seconds);
    j->set("offline_seconds", d.offline_seconds);
    j->set("availability", d.availability);
    j->set("utilisation", d.utilisation);
    devices->add(j);
  }
  o->set("devices", devices);
  return o;
}

}  // namespace

std::string reportJson(const Figures& figures, const ReportModel& model) {
  Object::Ptr root = newObject();
  root->set("report", model.id);
  Object::Ptr period = newObject();
  period->set("from", figures.period.from.toString());
  period->set("to", figures.period.to.toString());
  root->set("period", period);
  root->set("generated_at", model.generated_at);
  root->set("title", label(model.title));
  root->set("figures", figuresJson(figures));
  Array::Ptr headlines = new Array;
  for (const Headline& h : model.headlines) {
    Object::Ptr j = newObject();
    j->set("label", label(h.label));
    j->set("value", h.value);
    headlines->add(j);
  }
  root->set("headlines", headlines);
  Array::Ptr charts = new Array;
  for (const Chart& c : model.charts) {
    Object::Ptr j = newObject();
    j->set("id", c.id);
    j->set("title", label(c.title));
    j->set("x", axis(c.x));
    j->set("y", axis(c.y));
    j->set("y_right", axis(c.y_right));
    j->set("layout", std::string(name(c.layout)));
    Array::Ptr categories = new Array;
    for (const std::string& cat : c.categories) categories->add(cat);
    j->set("categories", categories);
    if (!c.category_codes.empty()) {
      Array::Ptr codes = new Array;
      for (const std::string& code : c.category_codes) codes->add(code);
      j->set("category_codes", codes);
    }
    Array::Ptr series = new Array;
    for (const ChartSeries& s : c.series) {
      Object::Ptr sj = newObject();
      sj->set("label", label(s.label));
      sj->set("kind", std::string(name(s.kind)));
      sj->set("axis", std::string(name(s.axis)));
      Array::Ptr values = new Array;
      for (double v : s.values) values->add(v);
      sj->set("values", values);
      series->add(sj);
    }
    j->set("series", series);
    charts->add(j);
  }
  root->set("charts", charts);
  Array::Ptr tables = new Array;
  for (const ReportTable& t : model.tables) {
    Object::Ptr j = newObject();
    j->set("id", t.id);
    j->set("title", label(t.title));
    Array::Ptr columns = new Array;
    for (const Label& c : t.columns) columns->add(label(c));
    j->set("columns", columns);
    Array::Ptr rows = new Array;
    for (const auto& row : t.rows) {
      Array::Ptr r = new Array;
      for (const std::string& cell : row) r->add(cell);
      rows->add(r);
    }
    j->set("rows", rows);
    tables->add(j);
  }
  root->set("tables", tables);
  std::ostringstream out;
  root->stringify(out);
  return out.str();
}

}  // namespace cardline
