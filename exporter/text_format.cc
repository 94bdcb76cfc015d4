#include "exporter/text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

namespace memwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Longest double or integer written: "-2.225073858507201e-308" is 23 chars.
constexpr size_t kMaxNumber = 32;

// `ostream << double` with precision 16 (max_digits10 - 1) in the classic
// locale is %.16g, which std::to_chars(general, 16) spells the same way; an
// integral value below 1e15 has at most 15 digits, so %.16g prints it as an
// integer, which to_chars(int64) does ten times faster (bytes and counts are
// most of what we export).
char* WriteDouble(double v, char* p) {
  if (std::isnan(v)) return std::copy_n("Nan", 3, p);
  if (std::isinf(v)) return std::copy_n(v < 0 ? "-Inf" : "+Inf", 4, p);
  if (v == 0)
    return std::copy_n(std::signbit(v) ? "-0" : "0", 1 + std::signbit(v), p);
  if (std::fabs(v) < 1e15 && v == std::trunc(v)) {
    return std::to_chars(p, p + kMaxNumber, static_cast<int64_t>(v)).ptr;
  }
  return std::to_chars(p, p + kMaxNumber, v, std::chars_format::general,
                       std::numeric_limits<double>::max_digits10 - 1)
      .ptr;
}

char* WriteText(std::string_view s, char* p) {
  return std::copy_n(s.data(), s.size(), p);
}

// Label values escape backslash, double quote and newline.
char* WriteEscaped(std::string_view s, char* p) {
  for (const char c : s) {
    if (c == '\\' || c == '"' || c == '\n') {
      *p++ = '\\';
      *p++ = c == '\n' ? 'n' : c;
    } else {
      *p++ = c;
    }
  }
  return p;
}

// The extra label of a bucket or quantile line: a bound, or "+Inf".
struct Extra {
  const char* name = nullptr;
  double value = 0;
  const char* text = nullptr;  // instead of value
};

// The line's value: a double, or a count (histogram and summary counts).
struct Value {
  double number = 0;
  bool is_count = false;
  uint64_t count = 0;
};

// One sample line, "name_suffix{labels,extra} value[ timestamp]\n", written
// at once into room made at the end of *out (a worst-case size), instead of
// some thirty appends.
void AppendLine(const MetricFamily& family, const ClientMetric& metric,
                std::string_view suffix, const Extra& extra, const Value& value,
                std::string* out) {
  size_t bound = family.name.size() + suffix.size() + 3 + 2 * kMaxNumber;
  for (const ClientMetric::Label& l : metric.label) {
    bound += l.name.size() + 2 * l.value.size() + 4;
  }
  if (extra.name != nullptr) bound += std::strlen(extra.name) + kMaxNumber + 4;
  const size_t start = out->size();
  out->resize(start + bound);
  char* const begin = &(*out)[0];
  char* p = begin + start;
  p = WriteText(family.name, p);
  p = WriteText(suffix, p);
  if (!metric.label.empty() || extra.name != nullptr) {
    *p++ = '{';
    bool first = true;
    for (const ClientMetric::Label& l : metric.label) {
      if (!first) *p++ = ',';
      first = false;
      p = WriteText(l.name, p);
      *p++ = '=';
      *p++ = '"';
      p = WriteEscaped(l.value, p);
      *p++ = '"';
    }
    if (extra.name != nullptr) {
      if (!first) *p++ = ',';
      p = WriteText(extra.name, p);
      *p++ = '=';
      *p++ = '"';
      p = extra.text != nullptr ? WriteText(extra.text, p)
                                : WriteDouble(extra.value, p);
      *p++ = '"';
    }
    *p++ = '}';
  }
  *p++ = ' ';
  p = value.is_count ? std::to_chars(p, p + kMaxNumber, value.count).ptr
                     : WriteDouble(value.number, p);
  if (metric.timestamp_ms != 0) {
    *p++ = ' ';
    p = std::to_chars(p, p + kMaxNumber, metric.timestamp_ms).ptr;
  }
  *p++ = '\n';
  out->resize(static_cast<size_t>(p - begin));
}

Value Number(double v) { return Value{v, false, 0}; }
Value Count(uint64_t n) { return Value{0, true, n}; }

void AppendSummary(const MetricFamily& f, const ClientMetric& m,
                   std::string* out) {
  AppendLine(f, m, "_count", Extra{}, Count(m.summary.sample_count), out);
  AppendLine(f, m, "_sum", Extra{}, Number(m.summary.sample_sum), out);
  for (const auto& q : m.summary.quantile) {
    AppendLine(f, m, "", Extra{"quantile", q.quantile, nullptr},
               Number(q.value), out);
  }
}

void AppendHistogram(const MetricFamily& f, const ClientMetric& m,
                     std::string* out) {
  const auto& h = m.histogram;
  AppendLine(f, m, "_count", Extra{}, Count(h.sample_count), out);
  AppendLine(f, m, "_sum", Extra{}, Number(h.sample_sum), out);
  double last = -std::numeric_limits<double>::infinity();
  for (const auto& b : h.bucket) {
    AppendLine(f, m, "_bucket", Extra{"le", b.upper_bound, nullptr},
               Count(b.cumulative_count), out);
    last = b.upper_bound;
  }
  if (last != std::numeric_limits<double>::infinity()) {
    AppendLine(f, m, "_bucket", Extra{"le", 0, "+Inf"}, Count(h.sample_count),
               out);
  }
}

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::Untyped:
      break;
  }
  return "untyped";
}

void AppendFamily(const MetricFamily& f, std::string* out) {
  if (!f.help.empty()) {
    out->append("# HELP ");
    out->append(f.name);
    out->push_back(' ');
    out->append(f.help);
    out->push_back('\n');
  }
  out->append("# TYPE ");
  out->append(f.name);
  out->push_back(' ');
  out->append(TypeName(f.type));
  out->push_back('\n');
  for (const ClientMetric& m : f.metric) {
    switch (f.type) {
      case MetricType::Counter:
        AppendLine(f, m, "", Extra{}, Number(m.counter.value), out);
        break;
      case MetricType::Gauge:
        AppendLine(f, m, "", Extra{}, Number(m.gauge.value), out);
        break;
      case MetricType::Untyped:
        AppendLine(f, m, "", Extra{}, Number(m.untyped.value), out);
        break;
      case MetricType::Summary:
        AppendSummary(f, m, out);
        break;
      case MetricType::Histogram:
        AppendHistogram(f, m, out);
        break;
    }
  }
}

}  // namespace

void AppendTextFormat(const std::vector<MetricFamily>& families,
                      std::string* out) {
  for (const MetricFamily& f : families) AppendFamily(f, out);
}

}  // namespace memwatch
