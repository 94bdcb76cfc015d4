// The text exposition format 0.0.4 of metric families, written straight into
// a string. prometheus::TextSerializer writes the same bytes through an
// ostream, formatting each value with `ostream << double`: with 1000 targets
// that was 57 % of a scrape's instructions (docs/performance.md). This writer
// gives byte for byte what prometheus-cpp 1.0.1's TextSerializer gives
// (text_format_test compares both), with std::to_chars for numbers.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace memwatch {

// Appends the exposition of `families`, in their order, to *out.
void AppendTextFormat(const std::vector<prometheus::MetricFamily>& families,
                      std::string* out);

}  // namespace memwatch
