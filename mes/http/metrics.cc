#include "mes/http/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace cardline {
namespace {

std::string escapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Label names are sorted so the same set always renders the same way.
std::string labelText(MetricLabels labels) {
  std::sort(labels.begin(), labels.end());
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"" + escapeLabelValue(labels[i].second) + "\"";
  }
  return out + "}";
}

// Inserts one more label into an already rendered label text.
std::string withLabel(const std::string& rendered, const std::string& label,
                      const std::string& value) {
  const std::string pair = label + "=\"" + value + "\"";
  if (rendered.empty()) return "{" + pair + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + pair + "}";
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", v);
  return buffer;
}

}  // namespace

const char* name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

const std::vector<double>& MetricsRegistry::defaultBuckets() {
  static const std::vector<double> buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
  return buckets;
}

void MetricsRegistry::describe(const std::string& family_name, MetricType type,
                               const std::string& help, std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  if (families_.count(family_name) > 0) return;
  Family& f = families_[family_name];
  f.type = type;
  f.help = help;
  f.buckets = buckets.empty() ? defaultBuckets() : std::move(buckets);
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& family_name,
                                                 MetricType type) {
  auto found = families_.find(family_name);
  if (found != families_.end()) return found->second;
  Family& f = families_[family_name];
  f.type = type;
  f.buckets = defaultBuckets();
  return f;
}

void MetricsRegistry::increment(const std::string& family_name, const MetricLabels& labels,
                                double by) {
  if (!(by >= 0)) return;
  std::lock_guard<std::mutex> lock(mu_);
  family(family_name, MetricType::kCounter).series[labelText(labels)].value += by;
}

void MetricsRegistry::set(const std::string& family_name, const MetricLabels& labels,
                          double value) {
  std::lock_guard<std::mutex> lock(mu_);
  family(family_name, MetricType::kGauge).series[labelText(labels)].value = value;
}

void MetricsRegistry::observe(const std::string& family_name, const MetricLabels& labels,
                              double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = family(family_name, MetricType::kHistogram);
  Series& s = f.series[labelText(labels)];
  if (s.counts.size() != f.buckets.size()) s.counts.assign(f.buckets.size(), 0);
  for (std::size_t i = 0; i < f.buckets.size(); ++i) {
    if (value <= f.buckets[i]) {
      ++s.counts[i];
      break;
    }
  }
  ++s.count;
  s.sum += value;
}

void MetricsRegistry::addCollector(std::function<void(MetricsRegistry&)> collector) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  collectors_.push_back(std::move(collector));
}

double MetricsRegistry::value(const std::string& family_name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = families_.find(family_name);
  if (f == families_.end()) return 0;
  auto s = f->second.series.find(labelText(labels));
  return s == f->second.series.end() ? 0 : s->second.value;
}

std::string MetricsRegistry::render() {
  {
    std::lock_guard<std::mutex> lock(collectors_mu_);
    for (auto& collector : collectors_) collector(*this);
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [family_name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + family_name + " " + escapeHelp(f.help) + "\n";
    out += "# TYPE " + family_name + " " + name(f.type) + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != MetricType::kHistogram) {
        out += family_name + labels + " " + number(s.value) + "\n";
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < f.buckets.size(); ++i) {
        cumulative += i < s.counts.size() ? s.counts[i] : 0;
        out += family_name + "_bucket" + withLabel(labels, "le", number(f.buckets[i])) + " " +
               std::to_string(cumulative) + "\n";
      }
      out += family_name + "_bucket" + withLabel(labels, "le", "+Inf") + " " +
             std::to_string(s.count) + "\n";
      out += family_name + "_sum" + labels + " " + number(s.sum) + "\n";
      out += family_name + "_count" + labels + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace cardline
