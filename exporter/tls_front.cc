#include "exporter/tls_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "exporter/tls_context.h"

namespace memwatch {
namespace {

void SetTimeouts(int fd, int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void NoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

TlsFront::~TlsFront() { Stop(); }

bool TlsFront::Start(const TlsFrontOptions& options, const web::TlsConfig& tls,
                     std::string* error) {
  options_ = options;
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    *error = "cannot create a TLS context";
    return false;
  }
  if (!web::ConfigureSslCtx(ctx, tls, error)) {
    SSL_CTX_free(ctx);
    return false;
  }
  ssl_ctx_ = ctx;

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (!options.host.empty() &&
      inet_pton(AF_INET, options.host.c_str(), &addr.sin_addr) != 1) {
    *error = "invalid listen host " + options.host;
    return false;
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (listen_fd_ < 0 ||
      bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 1024) != 0) {
    *error = std::strerror(errno);
    if (listen_fd_ >= 0) close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  if (pipe2(wake_, O_CLOEXEC) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  stopping_ = false;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void TlsFront::AcceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (stopping_ || fds[1].revents) return;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    MutexLock lock(&mu_);
    if (active_ >= options_.max_connections) {
      close(fd);  // over the cap: refuse rather than queue
      continue;
    }
    ++active_;
    client_fds_.insert(fd);
    std::thread([this, fd] { Serve(fd); }).detach();
  }
}

void TlsFront::Serve(int client_fd) {
  SSL* ssl = nullptr;
  int backend = -1;
  int relay_port = -1;
  NoDelay(client_fd);
  // Bounds the handshake and every later blocking read/write: a client that
  // stalls mid-record or stops reading is dropped.
  SetTimeouts(client_fd, options_.handshake_timeout_ms);
  ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
  if (ssl != nullptr && SSL_set_fd(ssl, client_fd) == 1 &&
      SSL_accept(ssl) == 1 && !stopping_) {
    backend = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(options_.backend_port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sockaddr_in local{};
    socklen_t len = sizeof(local);
    if (backend >= 0 &&
        connect(backend, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0 &&
        getsockname(backend, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
      NoDelay(backend);
      SetTimeouts(backend, options_.handshake_timeout_ms);
      relay_port = ntohs(local.sin_port);
      {
        MutexLock lock(&mu_);
        relay_ports_.insert(relay_port);
      }
      char buf[16384];
      while (!stopping_) {
        bool client_ready = SSL_pending(ssl) > 0;
        bool backend_ready = false;
        if (!client_ready) {
          pollfd fds[2] = {{client_fd, POLLIN, 0}, {backend, POLLIN, 0}};
          int n = poll(fds, 2, options_.idle_timeout_ms);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) break;  // idle too long, or poll failed
          client_ready = fds[0].revents != 0;
          backend_ready = fds[1].revents != 0;
        }
        if (client_ready) {
          int r = SSL_read(ssl, buf, sizeof(buf));
          if (r <= 0 || !SendAll(backend, buf, static_cast<size_t>(r))) break;
        }
        if (backend_ready) {
          ssize_t r = recv(backend, buf, sizeof(buf), 0);
          if (r <= 0 || SSL_write(ssl, buf, static_cast<int>(r)) <= 0) break;
        }
      }
    }
  }
  if (ssl != nullptr) {
    SSL_shutdown(ssl);  // best effort close_notify; bounded by the timeouts
    SSL_free(ssl);
  }
  ERR_clear_error();
  if (backend >= 0) close(backend);
  MutexLock lock(&mu_);
  if (relay_port >= 0) relay_ports_.erase(relay_port);
  client_fds_.erase(client_fd);
  close(client_fd);
  --active_;
  idle_.NotifyAll();
}

bool TlsFront::IsRelayPort(int port) {
  MutexLock lock(&mu_);
  return relay_ports_.count(port) > 0;
}

void TlsFront::Stop() {
  if (listen_fd_ < 0) return;
  stopping_ = true;
  if (write(wake_[1], "x", 1) < 0) {
    // The acceptor also checks stopping_ after every accept.
  }
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  listen_fd_ = -1;
  bool drained;
  {
    MutexLock lock(&mu_);
    // Wake relay threads blocked in poll/read: they close their fds
    // themselves.
    for (int fd : client_fds_) shutdown(fd, SHUT_RDWR);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (active_ != 0 && idle_.WaitUntil(&mu_, deadline)) {
    }
    drained = active_ == 0;
  }
  close(wake_[0]);
  close(wake_[1]);
  // A relay thread still running (it cannot be, short of a stuck kernel call)
  // would use the context: leak it rather than free it under that thread.
  if (drained) {
    SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
    ssl_ctx_ = nullptr;
  }
}

}  // namespace memwatch
