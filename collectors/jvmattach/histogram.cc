#include "collectors/jvmattach/histogram.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace memwatch::jvmattach {
namespace {

constexpr uint64_t kMaxCount = std::numeric_limits<int64_t>::max();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  return s;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Consumes a run of digits (at most int64's range) from the front of *s.
bool TakeNumber(std::string_view* s, uint64_t* out) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < s->size() && IsDigit((*s)[i])) {
    v = v * 10 + static_cast<uint64_t>((*s)[i] - '0');
    if (v > kMaxCount) return false;
    ++i;
  }
  if (i == 0) return false;
  s->remove_prefix(i);
  *out = v;
  return true;
}

// Consumes at least one blank.
bool TakeBlanks(std::string_view* s) {
  std::string_view t = TrimLeft(*s);
  if (t.size() == s->size()) return false;
  *s = t;
  return true;
}

// "Foo (java.base@17)" -> "Foo": the module column is not part of the name.
std::string_view StripModule(std::string_view name) {
  if (name.empty() || name.back() != ')') return name;
  size_t open = name.rfind(" (");
  if (open == std::string_view::npos || open == 0) return name;
  return TrimRight(name.substr(0, open));
}

enum class LineKind { kClass, kTotal, kOther, kBad };

// "   5:          1000          64000  Foo (mod)" or "Total   N   M".
LineKind ParseLine(std::string_view line, ClassCount* out) {
  std::string_view s = TrimLeft(line);
  uint64_t rank = 0;
  if (s.rfind("Total", 0) == 0) {
    s.remove_prefix(5);
    if (!TakeBlanks(&s) || !TakeNumber(&s, &out->instances) ||
        !TakeBlanks(&s) || !TakeNumber(&s, &out->bytes) ||
        !TrimLeft(s).empty()) {
      return LineKind::kBad;
    }
    return LineKind::kTotal;
  }
  if (!TakeNumber(&s, &rank)) return LineKind::kOther;
  if (s.empty() || s.front() != ':') return LineKind::kOther;
  s.remove_prefix(1);
  if (TrimLeft(s).empty()) return LineKind::kOther;  // jcmd's "<pid>:"
  if (!TakeBlanks(&s) || !TakeNumber(&s, &out->instances) || !TakeBlanks(&s) ||
      !TakeNumber(&s, &out->bytes) || !TakeBlanks(&s)) {
    return LineKind::kBad;
  }
  std::string_view name = StripModule(TrimRight(s));
  if (name.empty()) return LineKind::kBad;
  out->name.assign(name.data(), name.size());
  return LineKind::kClass;
}

class Builder {
 public:
  explicit Builder(size_t max_classes) : max_classes_(max_classes) {
    histo_.other.name = kOtherClasses;
  }

  void Add(ClassCount c) {
    auto it = index_.find(c.name);
    if (it != index_.end()) {
      Sum(&histo_.classes[it->second], c);
    } else if (histo_.classes.size() < max_classes_) {
      index_.emplace(c.name, histo_.classes.size());
      histo_.classes.push_back(std::move(c));
    } else {
      Sum(&histo_.other, c);
      ++histo_.other_classes;
    }
  }

  ClassHistogram Finish(const ClassCount& total) {
    histo_.total_instances = total.instances;
    histo_.total_bytes = total.bytes;
    return std::move(histo_);
  }

 private:
  static void Sum(ClassCount* into, const ClassCount& c) {
    into->instances = std::min(kMaxCount, into->instances + c.instances);
    into->bytes = std::min(kMaxCount, into->bytes + c.bytes);
  }

  size_t max_classes_;
  ClassHistogram histo_;
  std::unordered_map<std::string, size_t> index_;
};

bool Fail(std::string* error, const std::string& why) {
  if (error != nullptr) *error = why;
  return false;
}

}  // namespace

std::optional<ClassHistogram> ParseClassHistogram(std::string_view text,
                                                  const HistogramLimits& limits,
                                                  std::string* error) {
  Builder builder(limits.max_classes);
  bool seen_class = false;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (++line_no > limits.max_lines) {
      Fail(error, "more than " + std::to_string(limits.max_lines) + " lines");
      return std::nullopt;
    }
    if (line.size() > limits.max_line_bytes) {
      Fail(error, "line " + std::to_string(line_no) + " is longer than " +
                      std::to_string(limits.max_line_bytes) + " bytes");
      return std::nullopt;
    }
    ClassCount count;
    switch (ParseLine(line, &count)) {
      case LineKind::kTotal:
        return builder.Finish(count);
      case LineKind::kClass:
        seen_class = true;
        builder.Add(std::move(count));
        break;
      case LineKind::kOther:
        // The header, its dashes and jcmd's "<pid>:" come before the
        // classes; blank lines anywhere.
        if (!seen_class || TrimLeft(line).empty()) break;
        [[fallthrough]];
      case LineKind::kBad:
        Fail(error, "line " + std::to_string(line_no) +
                        " is not a class histogram line");
        return std::nullopt;
    }
  }
  Fail(error, seen_class ? "no Total line (the output was cut off)"
                         : "not a class histogram (no class lines, no Total)");
  return std::nullopt;
}

diff::Counts CountsOf(const ClassHistogram& histogram) {
  diff::Counts counts;
  for (const ClassCount& c : histogram.classes) {
    diff::GroupCount& g = counts.groups[c.name];
    g.count += c.instances;
    g.bytes += c.bytes;
  }
  if (histogram.other.instances != 0 || histogram.other.bytes != 0) {
    diff::GroupCount& g = counts.groups[histogram.other.name];
    g.count += histogram.other.instances;
    g.bytes += histogram.other.bytes;
  }
  counts.count = histogram.total_instances;
  counts.bytes = histogram.total_bytes;
  return counts;
}

diff::DiffResult DiffClassHistograms(const ClassHistogram& before,
                                     const ClassHistogram& after,
                                     size_t max_details) {
  return diff::DiffCounts(CountsOf(before), CountsOf(after), max_details);
}

}  // namespace memwatch::jvmattach
