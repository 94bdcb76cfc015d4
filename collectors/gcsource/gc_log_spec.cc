#include "collectors/gcsource/gc_log_spec.h"

namespace memwatch::gcsource {

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

}  // namespace memwatch::gcsource
