#include "exporter/front.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "exporter/listen_address.h"

namespace memwatch {
namespace {

// A listening socket on 127.0.0.1 with a kernel-chosen port.
int ListenLoopback(int* port) {
  ListenSpec spec;
  auto* in = reinterpret_cast<sockaddr_in*>(&spec.addr);
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  spec.addr_len = sizeof(sockaddr_in);
  int err_no = 0;
  std::string err;
  int fd = BindListen(spec, &err_no, &err);
  sockaddr_in bound{};
  socklen_t len = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  *port = ntohs(bound.sin_port);
  return fd;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string ReadSome(int fd) {
  char buf[256];
  ssize_t n = recv(fd, buf, sizeof(buf), 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(Front, RelaysPlainConnectionsAndKnowsItsPorts) {
  int backend_port = 0;
  int backend = ListenLoopback(&backend_port);
  int front_port = 0;
  FrontOptions options;
  options.listen_fds = {ListenLoopback(&front_port)};
  options.backend_port = backend_port;
  Front front;
  std::string err;
  ASSERT_TRUE(front.Start(options, web::TlsConfig{}, &err)) << err;

  // Several clients at once, each echoed by its own backend connection,
  // which must come from one of the relay's ports (what the HTTP server
  // checks before it serves the loopback port).
  constexpr int kClients = 4;
  std::atomic<int> relayed{0};
  std::thread echo([&] {
    for (int i = 0; i < kClients; ++i) {
      sockaddr_in peer{};
      socklen_t len = sizeof(peer);
      int c = accept(backend, reinterpret_cast<sockaddr*>(&peer), &len);
      if (c < 0) continue;
      // The relay forwards a client's bytes only after it has recorded its
      // port, so once they arrive the port must be known (the HTTP server
      // checks it on a complete request).
      std::string got = ReadSome(c);
      if (front.IsRelayPort(ntohs(peer.sin_port))) ++relayed;
      send(c, got.data(), got.size(), MSG_NOSIGNAL);
      close(c);
    }
  });
  std::vector<std::thread> clients;
  std::atomic<int> echoed{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      int fd = Connect(front_port);
      if (fd < 0) return;
      std::string msg = "hello " + std::to_string(i);
      send(fd, msg.data(), msg.size(), MSG_NOSIGNAL);
      if (ReadSome(fd) == msg) ++echoed;
      close(fd);
    });
  }
  for (auto& t : clients) t.join();
  echo.join();
  EXPECT_EQ(echoed, kClients);
  EXPECT_EQ(relayed, kClients);
  EXPECT_FALSE(front.IsRelayPort(front_port));
  front.Stop();
  // Stopped: the front's port no longer accepts.
  EXPECT_LT(Connect(front_port), 0);
  close(backend);
}

TEST(Front, BadCertificateFailsToStartAndClosesItsSockets) {
  int port = 0;
  FrontOptions options;
  options.listen_fds = {ListenLoopback(&port)};
  options.tls = true;
  options.backend_port = 1;
  web::TlsConfig tls;
  tls.enabled = true;
  tls.cert_file = "/nonexistent/cert.pem";
  tls.key_file = "/nonexistent/key.pem";
  Front front;
  std::string err;
  EXPECT_FALSE(front.Start(options, tls, &err));
  EXPECT_NE(err.find("/nonexistent/cert.pem"), std::string::npos) << err;
  EXPECT_LT(Connect(port), 0);
}

}  // namespace
}  // namespace memwatch
