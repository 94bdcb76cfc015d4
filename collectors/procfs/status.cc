#include "collectors/procfs/status.h"

#include <vector>

#include "collectors/procfs/parse_util.h"

namespace memwatch::procfs {

std::optional<uint64_t> Status::Bytes(const std::string& key) const {
  auto it = kb_fields_bytes.find(key);
  if (it == kb_fields_bytes.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> Status::Counter(const std::string& key) const {
  auto it = counters.find(key);
  if (it == counters.end()) return std::nullopt;
  return it->second;
}

std::optional<Status> ParseStatus(std::string_view text, std::string* error) {
  Status s;
  int keyed_lines = 0;
  for (std::string_view line : internal::SplitLines(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    ++keyed_lines;
    std::string key(line.substr(0, colon));
    std::string_view value = internal::Trim(line.substr(colon + 1));
    if (key == "Name") {
      s.name = std::string(value);
      continue;
    }
    std::vector<std::string_view> parts = internal::SplitWhitespace(value);
    if (parts.size() == 2 && parts[1] == "kB") {
      if (auto kb = internal::ParseU64(parts[0])) {
        s.kb_fields_bytes[key] = *kb * 1024;
      }
    } else if (parts.size() == 1) {
      if (auto n = internal::ParseU64(parts[0])) s.counters[key] = *n;
    }
  }
  if (keyed_lines == 0) {
    if (error) *error = "status: no \"Key:\" lines";
    return std::nullopt;
  }
  return s;
}

}  // namespace memwatch::procfs
