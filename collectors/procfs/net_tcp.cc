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

// The local address (hex) and inode of each LISTEN socket on `port`.
template <typename F>
void ForEachListener(std::string_view net_tcp, int port, F f) {
  for (std::string_view line : internal::Lines(net_tcp)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const auto fields = internal::SplitWhitespace(line);
    if (fields.size() < 10 || fields[3] != "0A") continue;  // 0A: LISTEN
    const auto colon = fields[1].find(':');
    if (colon == std::string_view::npos) continue;
    const auto p = ParseHex(fields[1].substr(colon + 1));
    const auto inode = internal::ParseU64(fields[9]);
    if (!p || !inode || *p != static_cast<uint64_t>(port)) continue;
    f(fields[1].substr(0, colon), *inode);
  }
}

// The kernel prints an IPv4 address (and each 32-bit word of an IPv6 one)
// in host byte order as hex: 127.0.0.1 is 0100007F on little-endian
// machines, 7F000001 on big-endian.
bool LoopbackOrAny4(uint64_t addr) {
  return addr == 0 || addr == 0x0100007F || addr == 0x7F000001;
}

}  // namespace

std::vector<uint64_t> ListeningInodes(std::string_view net_tcp, int port) {
  std::vector<uint64_t> out;
  ForEachListener(net_tcp, port, [&](std::string_view hex, uint64_t inode) {
    const auto addr = hex.size() == 8 ? ParseHex(hex) : std::nullopt;
    if (addr && LoopbackOrAny4(*addr)) out.push_back(inode);
  });
  return out;
}

std::vector<uint64_t> ListeningInodes6(std::string_view net_tcp6, int port) {
  std::vector<uint64_t> out;
  ForEachListener(net_tcp6, port, [&](std::string_view hex, uint64_t inode) {
    if (hex.size() != 32) return;
    uint64_t w[4];
    for (size_t i = 0; i < 4; ++i) {
      const auto v = ParseHex(hex.substr(i * 8, 8));
      if (!v) return;
      w[i] = *v;
    }
    const bool any = (w[0] | w[1] | w[2] | w[3]) == 0;
    // ::ffff:a.b.c.d; the word 0000FFFF in network order reads FFFF0000
    // on little-endian machines.
    const bool mapped = w[0] == 0 && w[1] == 0 &&
                        (w[2] == 0xFFFF0000 || w[2] == 0x0000FFFF) &&
                        LoopbackOrAny4(w[3]);
    if (any || mapped) out.push_back(inode);
  });
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
