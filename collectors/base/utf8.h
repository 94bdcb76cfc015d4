// Text from processes (comm, cmdline, file names) made safe to show.
#pragma once

#include <string>
#include <string_view>

namespace memwatch {

// `s` with every byte that is not part of a valid UTF-8 sequence (stray
// continuation bytes, overlong forms, surrogates, > U+10FFFF, cut sequences)
// replaced by U+FFFD. Label values come from processes (comm, cmdline, file
// names): one bad byte would make the whole exposition unparseable.
std::string SanitizeUtf8(std::string_view s);

}  // namespace memwatch
