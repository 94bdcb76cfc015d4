#include "collectors/cgroupfs/memory.h"

#include "collectors/procfs/parse_util.h"

namespace memwatch::cgroupfs {
namespace {

constexpr uint64_t kV1UnlimitedThreshold = uint64_t{1} << 62;

}  // namespace

std::optional<CgroupValue> ParseCgroupValue(std::string_view text,
                                            std::string* error) {
  std::string_view v = procfs::internal::Trim(text);
  CgroupValue out;
  if (v == "max") {
    out.unlimited = true;
    return out;
  }
  auto n = procfs::internal::ParseU64(v);
  if (!n) {
    if (error) *error = "cgroup value is neither a number nor \"max\"";
    return std::nullopt;
  }
  out.bytes = *n;
  out.unlimited = *n >= kV1UnlimitedThreshold;
  return out;
}

}  // namespace memwatch::cgroupfs
