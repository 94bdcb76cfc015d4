#include "collectors/base/utf8.h"

namespace memwatch {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if there is none
// (Unicode 15, table 3-7: well-formed byte sequences).
size_t ValidSequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto in = [](unsigned char c, unsigned char lo, unsigned char hi) {
    return c >= lo && c <= hi;
  };
  unsigned char c = b(0);
  size_t left = s.size() - i;
  if (c < 0x80) return 1;
  if (in(c, 0xC2, 0xDF)) return left >= 2 && in(b(1), 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3) return 0;
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;  // no overlongs
    unsigned char hi = c == 0xED ? 0x9F : 0xBF;  // no surrogates
    return in(b(1), lo, hi) && in(b(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4) return 0;
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80;  // no overlongs
    unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;  // <= U+10FFFF
    return in(b(1), lo, hi) && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) ? 4
                                                                            : 0;
  }
  return 0;
}

}  // namespace

std::string SanitizeUtf8(std::string_view s) {
  // Nearly every label value is plain ASCII: copy it whole.
  size_t ascii = 0;
  while (ascii < s.size() && static_cast<unsigned char>(s[ascii]) < 0x80) {
    ++ascii;
  }
  if (ascii == s.size()) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = ValidSequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace memwatch
