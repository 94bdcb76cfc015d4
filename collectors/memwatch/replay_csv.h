// The rows of a `memwatch_exporter replay` CSV
// (`time,bytes[,cpu_seconds[,pid]]`), read with bounds: lines of at most 4096
// bytes, printable text only.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "collectors/detect/floor_rule.h"

namespace memwatch::memwatch_plugin {

// A finite number spelled whole by `s` (strtod).
bool ParseNumber(const std::string& s, double* out);

enum class RowResult { kRow, kEof, kBad };

// One row: `time,bytes[,cpu_seconds[,pid]]`.
struct Row {
  double t = 0, v = 0;
  double cpu = detect::FloorRule::kNoCpu;
  int64_t pid = 0;
};

// The data rows of a `time,bytes` CSV, in order: blank lines, comments and a
// first header line are skipped; anything else that is not a row stops the
// replay with "<input>:<line>: why" on `err`.
class RowReader {
 public:
  RowReader(std::istream& in, const std::string& input_name, std::ostream& err)
      : in_(in), input_name_(input_name), err_(err) {}

  RowResult Next(Row* row);

 private:
  std::ostream& Where();
  // False (reported) for a line too long or with control bytes.
  bool IsText(bool too_long, const std::string& line);
  static bool ParseRow(const std::string& l, Row* row);

  std::istream& in_;
  const std::string& input_name_;
  std::ostream& err_;
  int lineno_ = 0;
  bool seen_data_or_header_ = false;
  std::optional<double> last_time_;
};

}  // namespace memwatch::memwatch_plugin
