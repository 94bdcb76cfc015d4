// Compiling a user's cmdline regex with an error that points at the problem.
// std::regex_error says what is wrong but not where, so a small scanner finds
// the usual culprits (unbalanced (), [ or {, a dangling quantifier, a
// trailing backslash) to name the offset.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <regex>
#include <string>

namespace memwatch::targets::internal {

// Offset (0-based) of the first structural error found, if any.
std::optional<size_t> FindRegexErrorOffset(const std::string& re);

// ECMAScript regex. On failure *reason is std::regex's text and *offset the
// scanner's guess (nullopt when it cannot tell).
bool CompileRegex(const std::string& re, std::shared_ptr<const std::regex>* out,
                  std::string* reason, std::optional<size_t>* offset);

}  // namespace memwatch::targets::internal
