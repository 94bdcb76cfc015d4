// Opens the inspector of a Node process that was started without --inspect,
// as Node allows: on SIGUSR1 it starts listening on 127.0.0.1:9229. Used only
// behind an opt-in flag (--heapdiff.inspector-sigusr1): the inspector then
// stays open until the process exits, and SIGUSR1 would end a process that
// is not Node, so only a process recognized as Node is signalled, and the
// port is used only once a socket of that very process listens on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::inspector {

// The fixed inspector port on pid's command line (InspectPortFromCmdline):
// false and why when the command line cannot be read; true with *port unset
// when the process was not started with a fixed inspector port.
bool InspectPortOfPid(const std::string& procfs_root, int pid,
                      std::optional<int>* port, std::string* error);

// Where Node's inspector listens after SIGUSR1 (no --inspect-port given).
inline constexpr int kSigusr1InspectPort = 9229;

// Whether one of pid's file descriptors is a socket listening on
// 127.0.0.1:port, 0.0.0.0:port or [::]:port (in pid's network namespace: its
// net/tcp and net/tcp6 against its fd/ links, collectors/procfs/net_tcp.h).
// Bounded reads: each net file up to 16 MiB, at most 1<<20 descriptors
// looked at.
bool ListensOn(const std::string& procfs_root, int pid, int port);

// The inspector port of `pid` after asking it to open its inspector: sends
// SIGUSR1 only when pid is a Node process (collectors/runtime), then waits up
// to timeout_seconds for a socket of pid to listen on 127.0.0.1:9229. A
// process that already listens there is not signalled again. nullopt and a
// one-line reason otherwise (not Node, signal refused, the port taken by
// another process, or no answer in time).
std::optional<int> OpenInspectorWithSigusr1(const std::string& procfs_root,
                                            int pid, double timeout_seconds,
                                            std::string* error);

}  // namespace memwatch::inspector
