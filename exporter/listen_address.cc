#include "exporter/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace memwatch {

bool ToCivetListeningPort(const std::string& address, std::string* ports,
                          std::string* error) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    *error = "listen address '" + address + "' must be host:port or :port";
    return false;
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  char* end = nullptr;
  long p = port.empty() ? -1 : std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 1 || p > 65535) {
    *error = "listen address '" + address + "' has no valid port (1-65535)";
    return false;
  }
  if (!host.empty()) {
    in_addr a{};
    if (inet_pton(AF_INET, host.c_str(), &a) != 1) {
      *error =
          "listen address '" + address +
          "': host must be an IPv4 address (IPv6 and names are not supported "
          "by this civetweb build)";
      return false;
    }
  }
  *ports = host.empty() ? port : host + ":" + port;
  return true;
}

std::string ExplainBindFailure(const std::string& ports) {
  auto colon = ports.rfind(':');
  std::string host = colon == std::string::npos ? "" : ports.substr(0, colon);
  int port = std::atoi(
      ports.substr(colon == std::string::npos ? 0 : colon + 1).c_str());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (host.empty() || inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::strerror(errno);
  std::string reason;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    reason = std::strerror(errno);
  }
  close(fd);
  return reason;
}

}  // namespace memwatch
