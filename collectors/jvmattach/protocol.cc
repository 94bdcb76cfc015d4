#include "collectors/jvmattach/protocol.h"

namespace memwatch::jvmattach {
namespace {

bool Fail(std::string* error, const std::string& why) {
  if (error != nullptr) *error = why;
  return false;
}

bool CheckString(std::string_view what, std::string_view s, size_t max,
                 std::string* error) {
  if (s.size() > max) {
    return Fail(error, std::string(what) + " longer than " +
                           std::to_string(max) + " bytes");
  }
  if (s.find('\0') != std::string_view::npos) {
    return Fail(error, std::string(what) + " contains a NUL byte");
  }
  return true;
}

}  // namespace

std::optional<std::string> EncodeRequest(std::string_view command,
                                         const std::vector<std::string>& args,
                                         std::string* error) {
  if (command.empty()) {
    Fail(error, "empty attach command");
    return std::nullopt;
  }
  if (args.size() > kMaxArgs) {
    Fail(error, "more than 3 attach arguments");
    return std::nullopt;
  }
  if (!CheckString("attach command", command, kMaxCommandBytes, error)) {
    return std::nullopt;
  }
  std::string out = "1";
  out.push_back('\0');
  out.append(command);
  out.push_back('\0');
  for (size_t i = 0; i < kMaxArgs; ++i) {
    if (i < args.size()) {
      if (!CheckString("attach argument", args[i], kMaxArgBytes, error)) {
        return std::nullopt;
      }
      out.append(args[i]);
    }
    out.push_back('\0');
  }
  return out;
}

std::optional<Reply> ParseReply(std::string_view text, std::string* error) {
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos || nl == 0 || nl > 11) {
    Fail(error, text.empty() ? "empty answer"
                             : "the answer does not start with a status line");
    return std::nullopt;
  }
  std::string_view head = text.substr(0, nl);
  bool negative = head.front() == '-';
  if (negative) head.remove_prefix(1);
  if (head.empty()) {
    Fail(error, "the answer does not start with a status line");
    return std::nullopt;
  }
  long long value = 0;
  for (char c : head) {
    if (c < '0' || c > '9') {
      Fail(error, "the answer does not start with a status line");
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  if (value > 2147483647LL) {
    Fail(error, "status out of range");
    return std::nullopt;
  }
  Reply reply;
  reply.status = static_cast<int>(negative ? -value : value);
  reply.output = text.substr(nl + 1);
  return reply;
}

std::string OneLine(std::string_view output) {
  constexpr size_t kMax = 300;
  while (!output.empty() && (output.front() == '\n' || output.front() == ' ')) {
    output.remove_prefix(1);
  }
  std::string_view line = output.substr(0, output.find('\n'));
  std::string out;
  for (char c : line.substr(0, kMax)) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  if (line.size() > kMax) out += "...";
  return out;
}

}  // namespace memwatch::jvmattach
