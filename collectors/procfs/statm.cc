#include "collectors/procfs/statm.h"

namespace memwatch::procfs {
namespace {

// One decimal number after optional spaces; advances *pos past it.
std::optional<uint64_t> NextNumber(std::string_view text, size_t* pos) {
  size_t i = *pos;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t start = i;
  uint64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;  // overflow
    v = v * 10 + digit;
    ++i;
  }
  if (i == start) return std::nullopt;
  *pos = i;
  return v;
}

}  // namespace

std::optional<Statm> ParseStatm(std::string_view text, std::string* error) {
  size_t pos = 0;
  auto size = NextNumber(text, &pos);
  auto resident = size ? NextNumber(text, &pos) : std::nullopt;
  auto shared = resident ? NextNumber(text, &pos) : std::nullopt;
  if (!shared) {
    if (error != nullptr) *error = "statm: expected three page counts";
    return std::nullopt;
  }
  return Statm{*size, *resident, *shared};
}

bool StatmHasField(std::string_view status_key) {
  return status_key == "VmRSS" || status_key == "RssAnon" ||
         status_key == "VmSize";
}

std::optional<uint64_t> StatmBytes(const Statm& statm,
                                   std::string_view status_key,
                                   int64_t page_size_bytes) {
  if (statm.size_pages == 0) return std::nullopt;  // no mm: no Vm*/Rss* lines
  const uint64_t page = static_cast<uint64_t>(page_size_bytes);
  if (status_key == "VmRSS") return statm.resident_pages * page;
  if (status_key == "VmSize") return statm.size_pages * page;
  if (status_key == "RssAnon") {
    // resident = anon + shared in the kernel; never negative there.
    if (statm.shared_pages > statm.resident_pages) return std::nullopt;
    return (statm.resident_pages - statm.shared_pages) * page;
  }
  return std::nullopt;
}

}  // namespace memwatch::procfs
