// Sizes and durations as node-memwatch printed them, with its arithmetic fixed
// (docs/semantics.md §2 item 5): leak reasons, diff JSON, logs.
#pragma once

#include <string>

namespace memwatch {

// "1 kb", "-2.07 kb", "343.32 mb", "12 bytes": units above 1024 / 1048576
// bytes, value rounded to 2 decimals and printed with at most 6 significant
// digits.
std::string NiceSize(double bytes);

// "1h 1m 1s", "1m 0s", "59s": a unit is printed once the duration reaches it,
// and every smaller unit after it. Fractional seconds are rounded.
std::string NiceDelta(double seconds);

}  // namespace memwatch
