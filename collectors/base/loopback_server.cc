#include "collectors/base/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

namespace memwatch {

LoopbackServer::LoopbackServer(Reply reply) : reply_(std::move(reply)) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A failed bind leaves port 0: the test's requests then fail visibly.
  if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 4);
  }
  thread_ = std::thread([this] { Serve(); });
}

LoopbackServer::LoopbackServer(std::string reply)
    : LoopbackServer(
          Reply([reply = std::move(reply)](size_t) { return reply; })) {}

LoopbackServer::~LoopbackServer() {
  // Ends the accept() the thread waits in.
  shutdown(fd_, SHUT_RDWR);
  close(fd_);
  thread_.join();
}

std::string LoopbackServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void LoopbackServer::Serve() {
  for (size_t i = 0;; ++i) {
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    (void)!recv(c, buf, sizeof(buf), 0);  // the request
    const std::string reply = reply_(i);
    if (!reply.empty()) (void)!send(c, reply.data(), reply.size(), 0);
    // Hold the connection until the client gives up or the test ends.
    while (recv(c, buf, sizeof(buf), 0) > 0) {
    }
    close(c);
  }
}

std::string Http200(const std::string& body, const std::string& content_type) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
  return head + "Content-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace memwatch
