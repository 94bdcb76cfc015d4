// Small helpers shared by the parsers (internal to //collectors/procfs).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace memwatch::procfs::internal {

// Splits on runs of spaces/tabs/newlines; no empty tokens.
std::vector<std::string_view> SplitWhitespace(std::string_view s);

// Pieces between separators; a trailing separator adds no empty piece.
std::vector<std::string_view> Split(std::string_view s, char sep);

// Splits into lines (without '\n'); a trailing newline yields no empty line.
std::vector<std::string_view> SplitLines(std::string_view s);

std::string_view Trim(std::string_view s);

// Whole-string decimal parses; nullopt on anything else (sign, junk, overflow).
std::optional<uint64_t> ParseU64(std::string_view s);
std::optional<int64_t> ParseI64(std::string_view s);
// A decimal number such as "12345.67" (uptime); nullopt on junk.
std::optional<double> ParseDouble(std::string_view s);

}  // namespace memwatch::procfs::internal
