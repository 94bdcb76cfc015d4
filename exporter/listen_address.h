#pragma once

#include <string>

namespace memwatch {

// "--web.listen-address" as civetweb's listening_ports value: ":9747" -> "9747"
// (every interface), "127.0.0.1:9747" -> "127.0.0.1:9747". Returns false with a
// one-line reason for anything else (civetweb here has no IPv6).
bool ToCivetListeningPort(const std::string& address, std::string* ports,
                          std::string* error);

// Why `ports` cannot be listened on, from a bind() of our own ("Address already
// in use", "Permission denied"); civetweb only says "Failed to setup server
// ports".
std::string ExplainBindFailure(const std::string& ports);

}  // namespace memwatch
