// Splitting text into views without copying it.
#pragma once

#include <cstddef>
#include <limits>
#include <string_view>
#include <vector>

namespace memwatch {

// The pieces of `s` between `sep`s; a trailing separator adds no empty piece.
// At most `max_pieces` (the rest of the text is dropped): outside input is
// split with a bound.
inline std::vector<std::string_view> SplitOn(
    std::string_view s, char sep,
    size_t max_pieces = std::numeric_limits<size_t>::max()) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < s.size() && out.size() < max_pieces) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace memwatch
