#include "collectors/procfs/status.h"

#include <iterator>

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

namespace {

// "N kB" as bytes.
std::optional<uint64_t> KbValue(std::string_view value) {
  std::string_view number = internal::NextToken(&value);
  std::string_view unit = internal::NextToken(&value);
  if (unit != "kB" || !internal::NextToken(&value).empty()) {
    return std::nullopt;
  }
  auto kb = internal::ParseU64(number);
  if (!kb) return std::nullopt;
  return *kb * 1024;
}

// A single plain number.
std::optional<uint64_t> CountValue(std::string_view value) {
  std::string_view number = internal::NextToken(&value);
  if (!internal::NextToken(&value).empty()) return std::nullopt;
  return internal::ParseU64(number);
}

}  // namespace

std::optional<StatusFields> ParseStatusFields(std::string_view text,
                                              std::string* error) {
  struct Field {
    std::string_view key;
    std::optional<uint64_t> StatusFields::*member;
    bool kb;
  };
  static constexpr Field kFields[] = {
      {"RssAnon", &StatusFields::rss_anon_bytes, true},
      {"RssShmem", &StatusFields::rss_shmem_bytes, true},
      {"VmHWM", &StatusFields::vm_hwm_bytes, true},
      {"VmData", &StatusFields::vm_data_bytes, true},
      {"VmSwap", &StatusFields::vm_swap_bytes, true},
      {"voluntary_ctxt_switches", &StatusFields::voluntary_ctxt_switches,
       false},
      {"nonvoluntary_ctxt_switches", &StatusFields::nonvoluntary_ctxt_switches,
       false},
  };
  StatusFields out;
  bool keyed = false;
  unsigned seen = 0;  // bit i: kFields[i] was found (its first line counts)
  for (std::string_view line : internal::Lines(text)) {
    // Most of the ~55 lines are none of ours: their first letter says so
    // once a "Key:" line has been seen.
    const char c = line.empty() ? '\0' : line[0];
    if (keyed && c != 'R' && c != 'V' && c != 'v' && c != 'n') continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    keyed = true;
    const std::string_view key = line.substr(0, colon);
    for (size_t i = 0; i < std::size(kFields); ++i) {
      const Field& f = kFields[i];
      if (key != f.key || (seen & (1u << i)) != 0) continue;
      seen |= 1u << i;
      const std::string_view value = line.substr(colon + 1);
      out.*f.member = f.kb ? KbValue(value) : CountValue(value);
      break;
    }
  }
  if (!keyed) {
    if (error) *error = "status: no \"Key:\" lines";
    return std::nullopt;
  }
  return out;
}

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
