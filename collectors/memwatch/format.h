// Text formatting of the leak event's `reason`, as memwatch printed it, with
// its arithmetic fixed (docs/semantics.md §2 item 5).
#pragma once

#include <string>

namespace memwatch {
namespace mw {

// "1 kb", "-2.07 kb", "343.32 mb", "12 bytes": units above 1024 / 1048576
// bytes, value rounded to 2 decimals and printed with at most 6 significant
// digits.
std::string NiceSize(double bytes);

// "1h 1m 1s", "1m 0s", "59s": a unit is printed once the duration reaches it,
// and every smaller unit after it. Fractional seconds are rounded.
std::string NiceDelta(double seconds);

// "heap growth over 5 consecutive GCs (50s) - 343.32 mb/hr"; the rate is `n/a`
// when the duration is 0 (memwatch printed -2147483648 bytes/hr there).
std::string LeakReason(int leak_gcs, double seconds, double growth_bytes);

}  // namespace mw
}  // namespace memwatch
