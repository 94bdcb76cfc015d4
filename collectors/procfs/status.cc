#include "collectors/procfs/status.h"

#include "collectors/procfs/parse_util.h"

namespace memwatch::procfs {
namespace {

// The value part of the first "key:" line, or nullopt.
std::optional<std::string_view> ValueOf(std::string_view text,
                                        std::string_view key) {
  for (std::string_view line : internal::Lines(text)) {
    if (line.size() > key.size() && line[key.size()] == ':' &&
        line.compare(0, key.size(), key) == 0) {
      return line.substr(key.size() + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> StatusBytes(std::string_view text,
                                    std::string_view key) {
  auto value = ValueOf(text, key);
  if (!value) return std::nullopt;
  std::string_view number = internal::NextToken(&*value);
  std::string_view unit = internal::NextToken(&*value);
  if (unit != "kB" || !internal::NextToken(&*value).empty()) {
    return std::nullopt;
  }
  auto kb = internal::ParseU64(number);
  if (!kb) return std::nullopt;
  return *kb * 1024;
}

std::optional<uint64_t> StatusCounter(std::string_view text,
                                      std::string_view key) {
  auto value = ValueOf(text, key);
  if (!value) return std::nullopt;
  std::string_view number = internal::NextToken(&*value);
  if (!internal::NextToken(&*value).empty()) return std::nullopt;
  return internal::ParseU64(number);
}

std::optional<uint64_t> Status::Bytes(std::string_view key) const {
  return StatusBytes(text, key);
}

std::optional<uint64_t> Status::Counter(std::string_view key) const {
  return StatusCounter(text, key);
}

std::optional<Status> ParseStatus(std::string_view text, std::string* error) {
  bool keyed = false;
  for (std::string_view line : internal::Lines(text)) {
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && colon != 0) {
      keyed = true;
      break;
    }
  }
  if (!keyed) {
    if (error) *error = "status: no \"Key:\" lines";
    return std::nullopt;
  }
  Status s;
  if (auto name = ValueOf(text, "Name")) s.name = internal::Trim(*name);
  s.text = text;
  return s;
}

}  // namespace memwatch::procfs
