#include "collectors/inspector/activate.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "collectors/base/read.h"
#include "collectors/inspector/inspector_client.h"
#include "collectors/procfs/files.h"
#include "collectors/procfs/net_tcp.h"
#include "collectors/procfs/procfs.h"
#include "collectors/runtime/node_cmdline.h"
#include "collectors/runtime/recognize.h"

namespace memwatch::inspector {
namespace {

constexpr size_t kMaxNetTcpBytes = 16u << 20;  // ~100,000 sockets
constexpr size_t kMaxFds = 1u << 20;

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
    if (auto inode = procfs::SocketInode(
            std::string_view(link, static_cast<size_t>(n)))) {
      out.push_back(*inode);
    }
  }
  ::closedir(d);
  return out;
}

}  // namespace

bool InspectPortOfPid(const std::string& procfs_root, int pid,
                      std::optional<int>* port, std::string* error) {
  std::string text;
  if (!ReadFile(procfs_root + "/" + std::to_string(pid) + "/cmdline", &text,
                error, nullptr, size_t{64} * 1024)) {
    return false;
  }
  *port = runtime::InspectPortFromCmdline(procfs::ParseCmdline(text));
  return true;
}

bool ListensOn(const std::string& procfs_root, int pid, int port) {
  const std::string net = procfs_root + "/" + std::to_string(pid) + "/net/";
  std::string text, error;
  std::vector<uint64_t> listening;
  if (ReadFile(net + "tcp", &text, &error, nullptr, kMaxNetTcpBytes)) {
    listening = procfs::ListeningInodes(text, port);
  }
  // tcp6 is absent when the kernel has no IPv6.
  if (ReadFile(net + "tcp6", &text, &error, nullptr, kMaxNetTcpBytes)) {
    for (uint64_t i : procfs::ListeningInodes6(text, port)) {
      listening.push_back(i);
    }
  }
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
