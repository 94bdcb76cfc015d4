#include "collectors/procfs/files.h"

#include "collectors/procfs/parse_util.h"

namespace memwatch::procfs {
namespace {
using internal::ParseU64;
using internal::SplitLines;
using internal::SplitWhitespace;
using internal::Trim;

void SetError(std::string* error, std::string message) {
  if (error) *error = std::move(message);
}
}  // namespace

std::optional<int> ParsePid(std::string_view text) {
  constexpr int kPidMaxLimit = 4194304;
  if (text.empty() || text.size() > 7) return std::nullopt;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0 || v > kPidMaxLimit) return std::nullopt;
  return v;
}

std::optional<double> ParseUptime(std::string_view text, std::string* error) {
  std::vector<std::string_view> parts = SplitWhitespace(text);
  if (parts.empty()) {
    SetError(error, "uptime: empty");
    return std::nullopt;
  }
  auto v = internal::ParseDouble(parts[0]);
  if (!v || *v < 0) {
    SetError(error, "uptime: first field is not a number");
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> ParseBootTime(std::string_view text,
                                      std::string* error) {
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> parts = SplitWhitespace(line);
    if (parts.size() == 2 && parts[0] == "btime") {
      if (auto v = ParseU64(parts[1])) return v;
      SetError(error, "stat: btime is not a number");
      return std::nullopt;
    }
  }
  SetError(error, "stat: no btime line");
  return std::nullopt;
}

std::optional<uint64_t> Io::Get(std::string_view key) const {
  for (size_t i = 0; i < kKeyCount; ++i) {
    if (key == kKeys[i]) return fields[i];
  }
  return std::nullopt;
}

std::optional<Io> ParseIo(std::string_view text, std::string* error) {
  Io io;
  bool any = false;
  for (std::string_view line : internal::Lines(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto v = ParseU64(Trim(line.substr(colon + 1)));
    if (!v) continue;
    any = true;  // a key we do not know still makes the text valid
    std::string_view key = Trim(line.substr(0, colon));
    for (size_t i = 0; i < Io::kKeyCount; ++i) {
      if (key == Io::kKeys[i]) io.fields[i] = *v;
    }
  }
  if (!any) {
    SetError(error, "io: no \"key: N\" lines");
    return std::nullopt;
  }
  return io;
}

std::optional<Limits> ParseLimits(std::string_view text, std::string* error) {
  // Columns are aligned with spaces and names contain spaces, so match the
  // name as a prefix and take the first token after it.
  constexpr std::string_view kOpenFiles = "Max open files";
  Limits limits;
  for (std::string_view line : internal::Lines(text)) {
    if (line.substr(0, kOpenFiles.size()) != kOpenFiles) continue;
    std::string_view rest = line.substr(kOpenFiles.size());
    std::string_view soft = internal::NextToken(&rest);
    if (soft.empty()) break;
    if (soft == "unlimited") {
      limits.has_max_open_files = true;
      return limits;
    }
    if (auto v = ParseU64(soft)) {
      limits.has_max_open_files = true;
      limits.max_open_files_soft = v;
      return limits;
    }
    break;
  }
  SetError(error, "limits: no valid \"Max open files\" line");
  return std::nullopt;
}

std::optional<uint64_t> ParseSmapsRollupPss(std::string_view text,
                                            std::string* error) {
  for (std::string_view line : internal::Lines(text)) {
    if (line.substr(0, 4) != "Pss:") continue;
    std::vector<std::string_view> parts = SplitWhitespace(line);
    if (parts.size() == 3 && parts[0] == "Pss:" && parts[2] == "kB") {
      if (auto kb = ParseU64(parts[1])) return *kb * 1024;
    }
  }
  SetError(error, "smaps_rollup: no \"Pss: N kB\" line");
  return std::nullopt;
}

std::vector<std::string> ParseCmdline(std::string_view text) {
  std::vector<std::string> args;
  for (std::string_view arg : internal::Split(text, '\0'))
    args.emplace_back(arg);
  return args;
}

std::string CleanExePath(std::string_view link) {
  constexpr std::string_view kDeleted = " (deleted)";
  if (link.size() > kDeleted.size() &&
      link.substr(link.size() - kDeleted.size()) == kDeleted) {
    link.remove_suffix(kDeleted.size());
  }
  return std::string(link);
}

}  // namespace memwatch::procfs
