#include "collectors/procfs/smaps.h"

#include <charconv>

namespace memwatch::procfs {
namespace {

std::string_view NextLine(std::string_view* text) {
  size_t nl = text->find('\n');
  std::string_view line = text->substr(0, nl);
  text->remove_prefix(nl == std::string_view::npos ? text->size() : nl + 1);
  return line;
}

bool ParseHex(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// "7f00-7f01 rw-p 00000000 00:00 0    [heap]": the header of a mapping.
bool ParseHeader(std::string_view line, Mapping* m) {
  size_t dash = line.find('-');
  size_t sp = line.find(' ');
  if (dash == std::string_view::npos || sp == std::string_view::npos ||
      dash > sp) {
    return false;
  }
  if (!ParseHex(line.substr(0, dash), &m->start) ||
      !ParseHex(line.substr(dash + 1, sp - dash - 1), &m->end) ||
      m->end < m->start) {
    return false;
  }
  // Five fields (range, perms, offset, dev, inode), then the optional name.
  size_t pos = sp;
  for (int field = 0; field < 4; ++field) {
    pos = line.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) return false;
    pos = line.find(' ', pos);
    if (pos == std::string_view::npos) {
      pos = line.size();
      break;
    }
  }
  size_t name = line.find_first_not_of(' ', pos);
  std::string_view what =
      name == std::string_view::npos ? "" : line.substr(name);
  m->what = what.empty() ? "[anon]" : std::string(what);
  return true;
}

// "Rss:   20 kB" -> key "Rss", 20480.
bool ParseField(std::string_view line, std::string_view* key, uint64_t* bytes) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  *key = line.substr(0, colon);
  std::string_view rest = line.substr(colon + 1);
  size_t b = rest.find_first_not_of(' ');
  if (b == std::string_view::npos) return false;
  rest.remove_prefix(b);
  size_t e = rest.find(' ');
  if (e == std::string_view::npos || rest.substr(e) != " kB") return false;
  uint64_t kb = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + e, kb);
  if (ec != std::errc() || p != rest.data() + e) return false;
  if (kb > (uint64_t{1} << 44)) return false;  // > 16 EiB in bytes: garbage
  *bytes = kb * 1024;
  return true;
}

}  // namespace

bool SmapsParser::Line(std::string_view line, std::string* error) {
  std::string_view key;
  uint64_t bytes = 0;
  if (ParseField(line, &key, &bytes)) {
    if (mappings_.empty()) return true;
    Mapping& m = mappings_.back();
    if (key == "Rss") m.rss_bytes = bytes;
    if (key == "Private_Clean" || key == "Private_Dirty") {
      m.private_bytes += bytes;
    }
    if (key == "Swap") m.swap_bytes = bytes;
    return true;
  }
  Mapping m;
  if (!ParseHeader(line, &m)) return true;
  if (mappings_.size() >= max_mappings_) {
    if (error) {
      *error =
          "smaps: more than " + std::to_string(max_mappings_) + " mappings";
    }
    return false;
  }
  mappings_.push_back(std::move(m));
  return true;
}

std::optional<std::vector<Mapping>> ParseSmaps(std::string_view text,
                                               size_t max_mappings,
                                               std::string* error) {
  SmapsParser parser(max_mappings);
  while (!text.empty()) {
    if (!parser.Line(NextLine(&text), error)) return std::nullopt;
  }
  return parser.Take();
}

}  // namespace memwatch::procfs
