#include "collectors/inspector/activate.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "collectors/procfs/procfs.h"
#include "collectors/runtime/recognize.h"

namespace memwatch::inspector {
namespace {

constexpr size_t kMaxNetTcpBytes = 16u << 20;  // ~100,000 sockets
constexpr size_t kMaxFds = 1u << 20;

std::optional<uint64_t> ParseHex(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    v = v * 16 + static_cast<uint64_t>(d);
  }
  return v;
}

std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// Whitespace-separated fields of one line.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<uint64_t> SocketInodesOf(const std::string& procfs_root, int pid) {
  std::vector<uint64_t> out;
  const std::string dir = procfs_root + "/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  size_t seen = 0;
  while (dirent* e = ::readdir(d)) {
    if (++seen > kMaxFds) break;
    if (e->d_name[0] == '.') continue;
    char link[64];
    ssize_t n = ::readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
    if (n <= 0) continue;
    std::string_view target(link, static_cast<size_t>(n));
    if (target.rfind("socket:[", 0) != 0 || target.back() != ']') continue;
    if (auto inode = ParseDecimal(target.substr(8, target.size() - 9))) {
      out.push_back(*inode);
    }
  }
  ::closedir(d);
  return out;
}

}  // namespace

std::vector<uint64_t> ListeningInodes(std::string_view net_tcp, int port) {
  std::vector<uint64_t> out;
  size_t start = 0;
  while (start < net_tcp.size()) {
    size_t end = net_tcp.find('\n', start);
    if (end == std::string_view::npos) end = net_tcp.size();
    const auto f = Fields(net_tcp.substr(start, end - start));
    start = end + 1;
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    if (f.size() < 10 || f[3] != "0A") continue;  // 0A: LISTEN
    const auto colon = f[1].find(':');
    if (colon == std::string_view::npos) continue;
    const auto addr = ParseHex(f[1].substr(0, colon));
    const auto p = ParseHex(f[1].substr(colon + 1));
    const auto inode = ParseDecimal(f[9]);
    if (!addr || !p || !inode || static_cast<int>(*p) != port) continue;
    // The kernel prints the IPv4 address in host byte order as hex:
    // 127.0.0.1 is 0100007F on little-endian machines, 7F000001 on big-endian.
    if (*addr == 0 || *addr == 0x0100007F || *addr == 0x7F000001) {
      out.push_back(*inode);
    }
  }
  return out;
}

bool ListensOn(const std::string& procfs_root, int pid, int port) {
  std::string text, error;
  if (!procfs::ReadWholeFile(
          procfs_root + "/" + std::to_string(pid) + "/net/tcp", &text, &error,
          nullptr, kMaxNetTcpBytes)) {
    return false;
  }
  const auto listening = ListeningInodes(text, port);
  if (listening.empty()) return false;
  for (uint64_t inode : SocketInodesOf(procfs_root, pid)) {
    for (uint64_t l : listening) {
      if (inode == l) return true;
    }
  }
  return false;
}

std::optional<int> OpenInspectorWithSigusr1(const std::string& procfs_root,
                                            int pid, double timeout_seconds,
                                            std::string* error) {
  const int port = kSigusr1InspectPort;
  if (ListensOn(procfs_root, pid, port)) return port;  // opened before
  if (runtime::RecognizeRuntime(procfs_root, pid) != runtime::Runtime::kNode) {
    *error = "pid " + std::to_string(pid) +
             " is not a Node process: not sent SIGUSR1";
    return std::nullopt;
  }
  if (::kill(pid, SIGUSR1) != 0) {
    *error = "cannot send SIGUSR1 to pid " + std::to_string(pid) + ": " +
             std::strerror(errno);
    return std::nullopt;
  }
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    if (ListensOn(procfs_root, pid, port)) return port;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = "pid " + std::to_string(pid) +
           " got SIGUSR1 but no inspector of it listens on 127.0.0.1:" +
           std::to_string(port) +
           " (the port may be taken by another process, or the app handles "
           "SIGUSR1 itself)";
  return std::nullopt;
}

}  // namespace memwatch::inspector
