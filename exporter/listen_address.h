// Where the exporter listens, as exporter-toolkit spells it:
// --web.listen-address (repeatable) takes ":9747" (every interface, IPv4 and,
// where the host has it, IPv6), "0.0.0.0:9747", "127.0.0.1:9747",
// "[::1]:9747", "[::]:9747" and host names ("localhost:9747", resolved once
// at start; every address the name has is listened on), and
// --web.systemd-socket uses the listening sockets systemd passed
// (LISTEN_PID/LISTEN_FDS, as sd_listen_fds(3) reads them).
#pragma once

#include <sys/socket.h>

#include <string>
#include <vector>

namespace memwatch {

struct ListenSpec {
  std::string address;  // as given ("localhost:9747"), for logs and errors
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  // A listening socket handed over (systemd), else -1 (bind addr).
  int fd = -1;
  // Skipped when the host cannot bind it (no IPv6, or an address of a name
  // that is not on this host), as long as another address works.
  bool optional = false;

  int family() const { return addr.ss_family; }
  int port() const;
  // "127.0.0.1:9747" / "[::1]:9747".
  std::string Numeric() const;
};

// Splits "host:port" / "[v6]:port" / ":port". False with a one-line reason.
bool SplitHostPort(const std::string& address, std::string* host,
                   std::string* port, std::string* error);

// Resolves every --web.listen-address value (split on '\n') to the socket
// addresses to bind, without duplicates. False with a one-line reason that
// names the address.
bool ResolveListenAddresses(const std::string& flag_value,
                            std::vector<ListenSpec>* out, std::string* error);

// The sockets systemd passed this process (LISTEN_PID must be our pid,
// LISTEN_FDS their count, from fd 3). Each must be a listening TCP socket;
// they are made close-on-exec and the variables are unset (as
// sd_listen_fds(1)). False with a one-line reason (none passed, or not a
// listening TCP socket).
bool SystemdListenSockets(std::vector<ListenSpec>* out, std::string* error);

// True if the address is on the loopback interface (127.0.0.0/8, ::1, or an
// IPv4-mapped 127.x address).
bool IsLoopback(const ListenSpec& spec);

// Binds and listens on spec (SO_REUSEADDR; IPV6_V6ONLY for IPv6 so that
// "[::]" and "0.0.0.0" can both be bound). Returns the fd, or -1 with
// *error = strerror and *err_no set.
int BindListen(const ListenSpec& spec, int* err_no, std::string* error);

}  // namespace memwatch
