// Compiling a user's cmdline regex (RE2: linear time, bounded stack, so a
// hostile or huge command line cannot hang or crash the matcher) with an error
// that points at the problem. RE2 names the offending fragment for most
// errors but the whole pattern for unbalanced parentheses, so a small scanner
// finds the usual structural culprits to name the offset.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace memwatch::targets::internal {

// Offset (0-based) of the first structural error found, if any.
std::optional<size_t> FindRegexErrorOffset(const std::string& re);

// RE2 regex. On failure *reason is RE2's text and *offset the best guess at
// the position (nullopt when it cannot tell).
bool CompileRegex(const std::string& re, std::shared_ptr<const RE2>* out,
                  std::string* reason, std::optional<size_t>* offset);

}  // namespace memwatch::targets::internal
