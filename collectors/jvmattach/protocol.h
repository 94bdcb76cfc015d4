// HotSpot's attach protocol, version 1 (JDK 6 to 25; src/hotspot/os/posix/
// attachListener_posix.cpp, sun/tools/attach/VirtualMachineImpl.java). Pure.
//
// Request, on the listener's UNIX socket: five NUL-terminated strings, the
// protocol version "1", the command ("jcmd", "inspectheap", "properties"...)
// and three arguments (empty when unused). The listener reads at most that,
// so a longer command or argument makes it drop the connection.
//
// Reply: the command's status as decimal text and "\n" (0 success; 101 a
// protocol version it does not speak; anything else the command's failure,
// e.g. -1 for a jcmd that threw), then the command's output until the
// listener closes the connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::jvmattach {

// AttachOperation::name_length_max and arg_length_max in HotSpot.
inline constexpr size_t kMaxCommandBytes = 16;
inline constexpr size_t kMaxArgBytes = 1024;
inline constexpr size_t kMaxArgs = 3;
inline constexpr int kStatusBadVersion = 101;

// The request bytes; nullopt and why when the command or an argument is too
// long, contains a NUL, or there are more than three arguments.
std::optional<std::string> EncodeRequest(std::string_view command,
                                         const std::vector<std::string>& args,
                                         std::string* error);

struct Reply {
  int status = 0;
  std::string_view output;  // into the text given to ParseReply
};

// Splits a complete reply. nullopt and why when it does not start with a
// status line ("0\n", "-1\n"; at most 11 characters).
std::optional<Reply> ParseReply(std::string_view text, std::string* error);

// The first line of a failed command's output, at most 300 bytes, control
// characters replaced: fit for a one-line error.
std::string OneLine(std::string_view output);

}  // namespace memwatch::jvmattach
