#include "collectors/procfs/net_tcp.h"

#include <charconv>

#include "collectors/procfs/parse_util.h"

namespace memwatch::procfs {
namespace {

std::optional<uint64_t> ParseHex(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::vector<uint64_t> ListeningInodes(std::string_view net_tcp, int port) {
  std::vector<uint64_t> out;
  for (std::string_view line : internal::Lines(net_tcp)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const auto f = internal::SplitWhitespace(line);
    if (f.size() < 10 || f[3] != "0A") continue;  // 0A: LISTEN
    const auto colon = f[1].find(':');
    if (colon == std::string_view::npos) continue;
    const auto addr = ParseHex(f[1].substr(0, colon));
    const auto p = ParseHex(f[1].substr(colon + 1));
    const auto inode = internal::ParseU64(f[9]);
    if (!addr || !p || !inode || *p != static_cast<uint64_t>(port)) continue;
    // The kernel prints the IPv4 address in host byte order as hex:
    // 127.0.0.1 is 0100007F on little-endian machines, 7F000001 on big-endian.
    if (*addr == 0 || *addr == 0x0100007F || *addr == 0x7F000001) {
      out.push_back(*inode);
    }
  }
  return out;
}

std::optional<uint64_t> SocketInode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() <= kPrefix.size() + 1 ||
      link.substr(0, kPrefix.size()) != kPrefix || link.back() != ']') {
    return std::nullopt;
  }
  return internal::ParseU64(
      link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1));
}

}  // namespace memwatch::procfs
