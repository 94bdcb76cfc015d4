// A test HTTP server on 127.0.0.1 and a free port, run by a thread of the
// test's own process (so that a reading of getpid() finds it listening).
// Test-only.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <thread>

namespace memwatch {

class LoopbackServer {
 public:
  // The raw bytes connection `i` (0, 1, ...) is answered with, after the
  // first read of its request; "" never answers. Either way the connection
  // is then held until the client closes it.
  using Reply = std::function<std::string(size_t i)>;

  explicit LoopbackServer(Reply reply);
  // The same reply to every connection.
  explicit LoopbackServer(std::string reply);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT".
  std::string url() const;

 private:
  void Serve();

  const Reply reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// A whole HTTP/1.1 200 response with `body` (and a Content-Type header when
// `content_type` is not empty) that closes the connection.
std::string Http200(const std::string& body,
                    const std::string& content_type = "");

}  // namespace memwatch
