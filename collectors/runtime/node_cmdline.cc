#include "collectors/runtime/node_cmdline.h"

namespace memwatch::runtime {
namespace {

constexpr int kDefaultPort = 9229;

std::optional<int> ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return v;
}

}  // namespace

std::optional<int> InspectPortFromCmdline(
    const std::vector<std::string>& argv) {
  std::optional<int> port;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (a.empty() || a[0] != '-' || a == "-" || a == "--") break;
    if (a == "-e" || a == "--eval" || a == "-p" || a == "--print" ||
        a == "-r" || a == "--require") {
      ++i;  // takes a value; the script follows it
      continue;
    }
    std::string_view v;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    if (a == "--inspect" || a == "--inspect-brk" || a == "--inspect-wait") {
      if (!has_value) {
        if (!port) port = kDefaultPort;
        continue;
      }
      if (auto colon = v.rfind(':'); colon != std::string_view::npos) {
        v = v.substr(colon + 1);
      } else if (v.find('.') != std::string_view::npos) {
        if (!port) port = kDefaultPort;  // host only
        continue;
      }
      auto p = ParsePort(v);
      if (!p) return std::nullopt;
      port = p;
    } else if (a == "--inspect-port" || a == "--debug-port") {
      auto p = has_value ? ParsePort(v) : std::nullopt;
      if (!p) return std::nullopt;
      port = p;
    }
  }
  return port;
}

}  // namespace memwatch::runtime
