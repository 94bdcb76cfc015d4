#include "collectors/memwatch/gc_log.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <utility>

namespace memwatch {
namespace mw {
namespace {

bool ParseDouble(std::string_view s, size_t* pos, double* out) {
  while (*pos < s.size() && s[*pos] == ' ') ++*pos;
  std::string num;
  while (
      *pos < s.size() &&
      (std::isdigit(static_cast<unsigned char>(s[*pos])) || s[*pos] == '.')) {
    num += s[(*pos)++];
  }
  if (num.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(num.c_str(), &end);
  return *end == '\0';
}

}  // namespace

std::optional<GcLine> ParseNodeTraceGc(std::string_view line) {
  // "[pid:isolate]  <ms> ms: <Kind> <before> (<cap>) -> <after> (<cap>) MB,
  // ..."
  if (line.empty() || line[0] != '[') return std::nullopt;
  size_t close = line.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  size_t pos = close + 1;
  GcLine g;
  if (!ParseDouble(line, &pos, &g.ms)) return std::nullopt;
  if (line.substr(pos, 4) != " ms:") return std::nullopt;
  pos += 4;
  while (pos < line.size() && line[pos] == ' ') ++pos;
  std::string_view rest = line.substr(pos);
  bool minor = rest.rfind("Minor ", 0) == 0;
  if (rest.rfind("Scavenge", 0) == 0 || minor) {
    g.full = false;
  } else if (rest.rfind("Mark-Compact", 0) == 0 ||
             rest.rfind("Mark-sweep", 0) == 0 ||
             rest.rfind("Mark-Sweep", 0) == 0) {
    g.full = true;
  } else {
    return std::nullopt;
  }
  size_t arrow = rest.find("->");
  if (arrow == std::string_view::npos) return std::nullopt;
  size_t p = arrow + 2;
  double mb = 0;
  if (!ParseDouble(rest, &p, &mb)) return std::nullopt;
  if (rest.find(" MB", p) == std::string_view::npos) return std::nullopt;
  g.heap_after = mb * 1024 * 1024;  // V8 prints MB as 2^20 bytes
  return g;
}

std::string ParseGcLogSpecs(const std::string& text,
                            std::vector<GcLogSpec>* out) {
  std::string item;
  auto flush = [&]() -> std::string {
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    std::string s = b == std::string::npos ? "" : item.substr(b, e - b + 1);
    item.clear();
    if (s.empty()) return "";
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
      return "--memwatch.gc-log wants name=PATH, got \"" + s + "\"";
    }
    out->push_back({s.substr(0, eq), s.substr(eq + 1)});
    return "";
  };
  for (char c : text) {
    if (c == ',' || c == '\n') {
      if (auto err = flush(); !err.empty()) return err;
    } else {
      item += c;
    }
  }
  return flush();
}

std::vector<GcLine> GcLogTailer::Poll(bool* restarted, std::string* error) {
  *restarted = false;
  std::vector<GcLine> out;
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    *error = path_ + ": " + std::strerror(errno);
    return out;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (!opened_) {
    // Start at the end: lines written before the exporter started are history
    // with no usable wall-clock anchor.
    opened_ = true;
    inode_ = st.st_ino;
    offset_ = size;
    return out;
  }
  if (st.st_ino != inode_ || size < offset_) {
    inode_ = st.st_ino;
    offset_ = 0;
    partial_.clear();
    last_ms_ = -1;
    *restarted = true;
  }
  if (size == offset_) return out;
  std::ifstream f(path_, std::ios::binary);
  if (!f) {
    *error = path_ + ": cannot open";
    return out;
  }
  f.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(size - offset_, '\0');
  f.read(&chunk[0], static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<size_t>(f.gcount()));
  offset_ += chunk.size();
  partial_ += chunk;
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    auto g =
        ParseNodeTraceGc(std::string_view(partial_).substr(start, nl - start));
    if (!g) continue;
    if (g->ms < last_ms_) *restarted = true;  // a new process writes here
    last_ms_ = g->ms;
    out.push_back(*g);
  }
  partial_.erase(0, start);
  return out;
}

}  // namespace mw
}  // namespace memwatch
