#include "exporter/listen_address.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace memwatch {
namespace {

bool ValidPort(const std::string& port) {
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  long p = std::strtol(port.c_str(), nullptr, 10);
  return p >= 1 && p <= 65535;
}

// Every address `host` (a literal or a name; empty: the wildcards) has for
// TCP port `port`.
bool Resolve(const std::string& address, const std::string& host,
             const std::string& port, std::vector<ListenSpec>* out,
             std::string* error) {
  if (host.empty()) {  // ":9747": IPv4 everywhere, IPv6 where the host has it
    for (const char* any : {"0.0.0.0", "::"}) {
      if (!Resolve(address, any, port, out, error)) return false;
    }
    out->back().optional = true;
    return true;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    *error = "listen address '" + address + "': cannot resolve '" + host +
             "': " + gai_strerror(rc);
    return false;
  }
  // A literal is one address; a name may have several, each may be absent
  // from this host (then skipped if another works).
  in6_addr unused;
  in_addr unused4;
  bool literal = inet_pton(AF_INET6, host.c_str(), &unused) == 1 ||
                 inet_pton(AF_INET, host.c_str(), &unused4) == 1;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    ListenSpec spec;
    spec.address = address;
    std::memcpy(&spec.addr, ai->ai_addr, ai->ai_addrlen);
    spec.addr_len = ai->ai_addrlen;
    spec.optional = !literal;
    bool dup = false;
    for (const ListenSpec& s : *out) dup = dup || s.Numeric() == spec.Numeric();
    if (!dup) out->push_back(spec);
  }
  freeaddrinfo(res);
  return true;
}

}  // namespace

int ListenSpec::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
}

std::string ListenSpec::Numeric() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr,
              buf, sizeof(buf));
    return std::string(buf) + ":" + std::to_string(port());
  }
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr,
            buf, sizeof(buf));
  return "[" + std::string(buf) + "]:" + std::to_string(port());
}

bool SplitHostPort(const std::string& address, std::string* host,
                   std::string* port, std::string* error) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    *error = "listen address '" + address + "' must be host:port or :port";
    return false;
  }
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  if (!host->empty() && host->front() == '[') {
    if (host->size() < 2 || host->back() != ']') {
      *error = "listen address '" + address + "': unbalanced [ ]";
      return false;
    }
    *host = host->substr(1, host->size() - 2);
  } else if (host->find(':') != std::string::npos) {
    *error = "listen address '" + address +
             "': an IPv6 address goes in brackets, e.g. [::1]:9747";
    return false;
  }
  if (!ValidPort(*port)) {
    *error = "listen address '" + address + "' has no valid port (1-65535)";
    return false;
  }
  return true;
}

bool ResolveListenAddresses(const std::string& flag_value,
                            std::vector<ListenSpec>* out, std::string* error) {
  size_t pos = 0;
  while (pos <= flag_value.size()) {
    size_t nl = flag_value.find('\n', pos);
    if (nl == std::string::npos) nl = flag_value.size();
    std::string address = flag_value.substr(pos, nl - pos);
    pos = nl + 1;
    std::string host, port;
    if (!SplitHostPort(address, &host, &port, error) ||
        !Resolve(address, host, port, out, error)) {
      return false;
    }
  }
  return true;
}

bool SystemdListenSockets(std::vector<ListenSpec>* out, std::string* error) {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (pid == nullptr || fds == nullptr ||
      std::strtol(pid, nullptr, 10) != static_cast<long>(getpid())) {
    *error =
        "--web.systemd-socket: no sockets passed (LISTEN_PID/LISTEN_FDS "
        "unset or for another process)";
    return false;
  }
  long n = std::strtol(fds, nullptr, 10);
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  if (n < 1 || n > 64) {
    *error = "--web.systemd-socket: LISTEN_FDS=" + std::string(fds) +
             " (expected 1 to 64 sockets)";
    return false;
  }
  for (int fd = 3; fd < 3 + n; ++fd) {
    ListenSpec spec;
    spec.fd = fd;
    spec.address = "systemd socket fd " + std::to_string(fd);
    int type = 0, listening = 0;
    socklen_t len = sizeof(type);
    socklen_t len2 = sizeof(listening);
    spec.addr_len = sizeof(spec.addr);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len2) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&spec.addr),
                    &spec.addr_len) != 0 ||
        type != SOCK_STREAM || !listening ||
        (spec.family() != AF_INET && spec.family() != AF_INET6)) {
      *error = "--web.systemd-socket: fd " + std::to_string(fd) +
               " is not a listening TCP socket";
      return false;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    spec.address += " (" + spec.Numeric() + ")";
    out->push_back(spec);
  }
  return true;
}

bool IsLoopback(const ListenSpec& spec) {
  if (spec.family() == AF_INET) {
    auto a = ntohl(
        reinterpret_cast<const sockaddr_in*>(&spec.addr)->sin_addr.s_addr);
    return (a >> 24) == 127;
  }
  const in6_addr& a =
      reinterpret_cast<const sockaddr_in6*>(&spec.addr)->sin6_addr;
  if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
  return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
}

int BindListen(const ListenSpec& spec, int* err_no, std::string* error) {
  int fd = socket(spec.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err_no = errno;
    *error = std::strerror(errno);
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (spec.family() == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&spec.addr), spec.addr_len) !=
          0 ||
      listen(fd, 1024) != 0) {
    *err_no = errno;
    *error = std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace memwatch
