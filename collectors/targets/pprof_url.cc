// The targets YAML's `pprof:` key: where a Go target serves net/http/pprof.
#include <charconv>

#include "collectors/targets/config.h"

namespace memwatch::targets {
namespace {

std::optional<int> Port(std::string_view s) {
  int port = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || port < 1 ||
      port > 65535) {
    return std::nullopt;
  }
  return port;
}

}  // namespace

std::optional<std::string> PprofBaseUrl(const std::string& value,
                                        std::string* error) {
  const std::string_view v = value;
  if (auto port = Port(v)) {
    return "http://127.0.0.1:" + std::to_string(*port);
  }
  constexpr std::string_view kScheme = "http://";
  auto fail = [&]() -> std::optional<std::string> {
    *error =
        "pprof must be a port or http://127.0.0.1:PORT[/PATH] (loopback "
        "only), not \"" +
        value.substr(0, 128) + "\"";
    return std::nullopt;
  };
  if (v.substr(0, kScheme.size()) != kScheme) return fail();
  std::string_view rest = v.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path =
      slash == std::string_view::npos ? "" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return fail();
  const std::string_view host = authority.substr(0, colon);
  const auto port = Port(authority.substr(colon + 1));
  if (!port || (host != "127.0.0.1" && host != "localhost")) return fail();
  // The path is a prefix: /debug/pprof/heap is appended. Only plain path
  // characters: it goes into a URL as it is.
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  for (char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '/' || c == '-' ||
                       c == '_' || c == '.' || c == '~';
    if (!plain) return fail();
  }
  return "http://127.0.0.1:" + std::to_string(*port) + std::string(path);
}

}  // namespace memwatch::targets
