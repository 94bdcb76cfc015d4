#include "collectors/nativeheap/maps.h"

#include <algorithm>
#include <array>

namespace memwatch::nativeheap {
namespace {

constexpr std::string_view kDeleted = " (deleted)";

bool ParseHex(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

bool ParseDec(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// The next space-separated field of *rest (leading spaces skipped).
std::string_view NextField(std::string_view* rest) {
  size_t b = rest->find_first_not_of(' ');
  if (b == std::string_view::npos) {
    *rest = {};
    return {};
  }
  size_t e = rest->find(' ', b);
  std::string_view f = rest->substr(b, e == std::string_view::npos ? e : e - b);
  *rest = e == std::string_view::npos ? std::string_view{} : rest->substr(e);
  return f;
}

// "start-end perms offset dev inode [path]"; the path may hold spaces.
bool ParseLine(std::string_view line, Mapping* m) {
  std::string_view range = NextField(&line);
  std::string_view perms = NextField(&line);
  std::string_view offset = NextField(&line);
  std::string_view dev = NextField(&line);
  std::string_view inode = NextField(&line);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos || perms.size() != 4 || dev.empty() ||
      !ParseHex(range.substr(0, dash), &m->start) ||
      !ParseHex(range.substr(dash + 1), &m->end) || m->end < m->start ||
      !ParseHex(offset, &m->offset) || !ParseDec(inode, &m->inode)) {
    return false;
  }
  m->executable = perms[2] == 'x';
  size_t b = line.find_first_not_of(' ');
  std::string_view path =
      b == std::string_view::npos ? std::string_view{} : line.substr(b);
  m->deleted = path.size() > kDeleted.size() &&
               path.substr(path.size() - kDeleted.size()) == kDeleted;
  if (m->deleted) path.remove_suffix(kDeleted.size());
  m->path = std::string(path);
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsGlibcName(std::string_view base) {
  if (base == "libc.so.6") return true;
  // glibc before 2.34 also shipped libc-2.N.so.
  return StartsWith(base, "libc-2.") && base.size() > 10 &&
         base.substr(base.size() - 3) == ".so";
}

// A library that replaces malloc for the whole process, when mapped.
std::optional<std::string_view> ReplacementAllocator(std::string_view base) {
  static constexpr std::array<std::string_view, 5> kPrefixes = {
      "libjemalloc", "libtcmalloc", "libmimalloc", "libhoard",
      "libsnmallocshim"};
  for (std::string_view p : kPrefixes) {
    if (StartsWith(base, p)) return p.substr(3);
  }
  return std::nullopt;
}

bool IsMusl(std::string_view base) {
  return StartsWith(base, "ld-musl-") || StartsWith(base, "libc.musl-");
}

}  // namespace

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::optional<uint32_t> InnermostNsPid(std::string_view status) {
  constexpr std::string_view kKey = "NSpid:";
  size_t at = status.find(kKey);
  if (at == std::string_view::npos || (at > 0 && status[at - 1] != '\n')) {
    return std::nullopt;
  }
  std::string_view rest = status.substr(at + kKey.size());
  rest = rest.substr(0, rest.find('\n'));
  std::string_view last;
  while (true) {
    size_t b = rest.find_first_not_of(" \t");
    if (b == std::string_view::npos) break;
    size_t e = rest.find_first_of(" \t", b);
    last = rest.substr(b, e == std::string_view::npos ? e : e - b);
    if (e == std::string_view::npos) break;
    rest = rest.substr(e);
  }
  uint64_t pid = 0;
  if (!ParseDec(last, &pid) || pid == 0 || pid > UINT32_MAX) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(pid);
}

std::optional<std::vector<Mapping>> ParseMaps(std::string_view text,
                                              size_t max_mappings,
                                              std::string* error) {
  std::vector<Mapping> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text =
        nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (out.size() >= max_mappings) {
      if (error)
        *error = "more than " + std::to_string(max_mappings) + " mappings";
      return std::nullopt;
    }
    Mapping m;
    if (!ParseLine(line, &m)) {
      if (error)
        *error = "maps line " + std::to_string(line_no) + " is malformed";
      return std::nullopt;
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<Allocator> FindAllocator(const std::vector<Mapping>& mappings,
                                       std::string* error) {
  Allocator a;
  const Mapping* libc = nullptr;
  bool any_library = false;
  for (const Mapping& m : mappings) {
    std::string_view base = BaseName(m.path);
    if (m.path.empty() || m.path[0] != '/') continue;
    if (base.find(".so") != std::string_view::npos) any_library = true;
    if (auto name = ReplacementAllocator(base)) {
      if (error)
        *error = std::string(*name) + " (" + m.path +
                 ") replaces glibc malloc: only glibc malloc is "
                 "traced";
      return std::nullopt;
    }
    if (IsMusl(base)) {
      if (error)
        *error = "musl libc (" + m.path + "): only glibc malloc is traced";
      return std::nullopt;
    }
    if (IsGlibcName(base) && libc == nullptr) libc = &m;
    if (StartsWith(base, "libstdc++.so") && a.libstdcxx.empty() && !m.deleted) {
      a.libstdcxx = m.path;
    }
  }
  if (libc == nullptr) {
    if (error) {
      *error = any_library ? "no glibc libc.so.6 in its mappings"
                           : "statically linked (no shared libc in its "
                             "mappings)";
    }
    return std::nullopt;
  }
  if (libc->deleted) {
    if (error)
      *error = libc->path + " was replaced on disk since the process started";
    return std::nullopt;
  }
  a.libc = libc->path;
  return a;
}

const Mapping* FindExecutableMapping(const std::vector<Mapping>& mappings,
                                     uint64_t address) {
  auto it = std::upper_bound(
      mappings.begin(), mappings.end(), address,
      [](uint64_t a, const Mapping& m) { return a < m.start; });
  if (it == mappings.begin()) return nullptr;
  --it;
  if (address >= it->end || !it->executable) return nullptr;
  return &*it;
}

}  // namespace memwatch::nativeheap
