// Durations on the command line as Prometheus tooling writes them: "15s",
// "1m", "2h", "500ms", "1h30m", "1.5s"; a bare number keeps meaning seconds
// (flags were plain numbers before). A duration flag is a double gflag
// holding seconds, declared with MEMWATCH_DEFINE_DURATION so that the
// exporter's flag parser accepts units for it and --help shows its default
// with units.
#pragma once

#include <gflags/gflags.h>

#include <optional>
#include <set>
#include <string>

namespace memwatch {

// Seconds in `text`: one or more <number><unit> parts (units ms, s, m, h, d,
// w; numbers may have a fraction), or a bare non-negative number. Nullopt for
// anything else (empty, negative, unknown unit, trailing junk, inf/nan).
std::optional<double> ParseDuration(const std::string& text);

// `seconds` the way ParseDuration reads it back, shortest first: 0.2 ->
// "200ms", 75 -> "1m15s", 3600 -> "1h", 0 -> "0s". Parts below a millisecond
// are written as fractional seconds ("0.0005s").
std::string FormatDuration(double seconds);

// gflag names declared with MEMWATCH_DEFINE_DURATION.
const std::set<std::string>& DurationFlags();

struct DurationFlagRegistrar {
  explicit DurationFlagRegistrar(const char* gflag_name);
};

}  // namespace memwatch

// DEFINE_double(name, default_seconds, help), marked as a duration.
#define MEMWATCH_DEFINE_DURATION(name, default_seconds, help) \
  DEFINE_double(name, default_seconds, help);                 \
  static ::memwatch::DurationFlagRegistrar                    \
      memwatch_duration_flag_registrar_##name(#name)
