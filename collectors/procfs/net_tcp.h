// /proc/<pid>/net/tcp (the TCP sockets of the process's network namespace)
// and the "socket:[inode]" links of /proc/<pid>/fd: enough to tell whether a
// given process listens on a given local port. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace memwatch::procfs {

// Inodes of the sockets in LISTEN state on 127.0.0.1:port or 0.0.0.0:port.
// Malformed lines are skipped.
std::vector<uint64_t> ListeningInodes(std::string_view net_tcp, int port);

// The same in /proc/<pid>/net/tcp6, for sockets that accept connections to
// 127.0.0.1:port: the any address "::" (dual-stack, what Go's
// net.Listen("tcp", ":6060") makes) and IPv4-mapped ::ffff:127.0.0.1 or
// ::ffff:0.0.0.0. (An IPV6_V6ONLY socket on "::" cannot be told from
// /proc; it would be counted.)
std::vector<uint64_t> ListeningInodes6(std::string_view net_tcp6, int port);

// The inode of an fd link target "socket:[12345]"; nullopt for anything
// else (a file, a pipe, "anon_inode:...").
std::optional<uint64_t> SocketInode(std::string_view link);

}  // namespace memwatch::procfs
