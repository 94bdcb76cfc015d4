#include "collectors/procfs/stat.h"

#include "collectors/procfs/parse_util.h"

namespace memwatch::procfs {
namespace {
using internal::ParseI64;
using internal::ParseU64;

// Fields after comm start at field 3, so field k is rest[k - 3].
constexpr size_t kFirstRestField = 3;
constexpr size_t kLastNeededField = 24;  // rss

}  // namespace

std::optional<Stat> ParseStat(std::string_view text, std::string* error) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos ||
      close < open) {
    if (error) *error = "stat: no \"(comm)\" in the line";
    return std::nullopt;
  }
  Stat s;
  auto pid = ParseI64(internal::Trim(text.substr(0, open)));
  if (!pid) {
    if (error) *error = "stat: bad pid field";
    return std::nullopt;
  }
  s.pid = static_cast<int>(*pid);
  s.comm = std::string(text.substr(open + 1, close - open - 1));
  // Only fields 3..24 are needed: tokenize those into a fixed array.
  constexpr size_t kNeeded = kLastNeededField - kFirstRestField + 1;
  std::string_view rest[kNeeded];
  // Tokenized in place: the sampler reads every target's stat each second.
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  const char* p = text.data() + close + 1;
  const char* const end = text.data() + text.size();
  size_t found = 0;
  for (; found < kNeeded; ++found) {
    while (p < end && space(*p)) ++p;
    if (p == end) break;
    const char* const begin = p;
    while (p < end && !space(*p)) ++p;
    rest[found] = std::string_view(begin, static_cast<size_t>(p - begin));
  }
  if (found < kNeeded) {
    if (error) {
      *error = "stat: truncated, " + std::to_string(found + 2) +
               " fields, need " + std::to_string(kLastNeededField);
    }
    return std::nullopt;
  }
  auto field = [&](size_t k) { return rest[k - kFirstRestField]; };
  if (field(3).size() != 1) {
    if (error) *error = "stat: bad state field";
    return std::nullopt;
  }
  s.state = field(3)[0];
  struct U64Field {
    size_t index;
    uint64_t* dest;
  };
  for (const U64Field& f :
       {U64Field{10, &s.minflt}, U64Field{12, &s.majflt},
        U64Field{14, &s.utime_ticks}, U64Field{15, &s.stime_ticks},
        U64Field{22, &s.starttime_ticks}, U64Field{23, &s.vsize_bytes}}) {
    auto v = ParseU64(field(f.index));
    if (!v) {
      if (error)
        *error = "stat: field " + std::to_string(f.index) + " is not a number";
      return std::nullopt;
    }
    *f.dest = *v;
  }
  auto ppid = ParseI64(field(4));
  auto threads = ParseI64(field(20));
  auto rss = ParseI64(field(24));
  if (!ppid || !threads || !rss) {
    if (error) *error = "stat: field 4, 20 or 24 is not a number";
    return std::nullopt;
  }
  s.ppid = static_cast<int>(*ppid);
  s.num_threads = *threads;
  s.rss_pages = *rss;
  return s;
}

}  // namespace memwatch::procfs
