// A HotSpot class histogram (`jcmd <pid> GC.class_histogram`, `jmap -histo`)
// parsed from its text, and memwatch's HeapDiff of two of them by class.
// Pure: the text comes from the attach listener (attach.h) or a file.
//
// The text is KlassInfoHisto::print_histo_on's (JDK 8 to 21):
//
//    num     #instances         #bytes  class name (module)
//   -------------------------------------------------------
//      1:          7197         332384  [B (java.base@17.0.15)
//      5:          1000          64000  ClassLeak$LeakedWidget
//   Total         26235        1235864
//
// JDK 8 has no "(module)" column; classes of the unnamed module have none on
// any version. The JVM is the application: every count, length and number is
// checked and capped, bad input is an error, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/diff/counts.h"
#include "collectors/diff/diff_result.h"

namespace memwatch::jvmattach {

struct HistogramLimits {
  // Classes kept, in the histogram's order (most bytes first); the rest are
  // summed into ClassHistogram::other.
  size_t max_classes = 20000;
  // Lines looked at, and the longest line accepted (class names are at most
  // 64 KiB in a class file; real ones are far shorter).
  size_t max_lines = 2000000;
  size_t max_line_bytes = 4096;
};

struct ClassCount {
  std::string name;  // "[B", "java.lang.String", "Foo$$Lambda$14/0x..."
  uint64_t instances = 0;
  uint64_t bytes = 0;
};

struct ClassHistogram {
  // Most bytes first, as the JVM printed them. A name printed twice (one class
  // name in two class loaders) is kept once, with the sums.
  std::vector<ClassCount> classes;
  // What lies beyond max_classes: `name` is "[other classes]".
  ClassCount other;
  uint64_t other_classes = 0;  // how many classes `other` sums
  // From the "Total" line.
  uint64_t total_instances = 0;
  uint64_t total_bytes = 0;
};

// The name `other` carries in a histogram and in a diff.
inline constexpr const char* kOtherClasses = "[other classes]";

// Parses the text of one histogram. nullopt and a one-line reason when it is
// not one: no "Total" line (the output was cut off, or an error message came
// instead), a malformed class line, a number out of range, a line over the
// cap. Lines before the header (jcmd's "<pid>:") are skipped.
std::optional<ClassHistogram> ParseClassHistogram(std::string_view text,
                                                  const HistogramLimits& limits,
                                                  std::string* error);

// Instances and bytes per class (and `other`), with the Total line's totals:
// what a diff kept between two moments needs.
diff::Counts CountsOf(const ClassHistogram& histogram);

// memwatch's HeapDiff by class: `what` is the class name, size_bytes the
// bytes after minus before, "+"/"-" the net change of its instance count
// (two histograms have no object identity); largest change first, at most
// max_details. before/after are the Total lines; freed/allocated_nodes the
// sums of "-" and "+" over every class (not only the details kept).
diff::DiffResult DiffClassHistograms(const ClassHistogram& before,
                                     const ClassHistogram& after,
                                     size_t max_details);

}  // namespace memwatch::jvmattach
