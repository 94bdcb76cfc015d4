#include "exporter/front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "collectors/base/log.h"
#include "exporter/tls_context.h"

namespace memwatch {
namespace {

void SetTimeouts(int fd, int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>(ms % 1000) * 1000;
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

// The client side of a relay: TLS through `ssl`, or the plain socket.
ssize_t ClientRead(int fd, SSL* ssl, char* buf, size_t n) {
  if (ssl != nullptr) return SSL_read(ssl, buf, static_cast<int>(n));
  ssize_t r;
  do {
    r = recv(fd, buf, n, 0);
  } while (r < 0 && errno == EINTR);
  return r;
}

bool ClientWrite(int fd, SSL* ssl, const char* buf, size_t n) {
  if (ssl != nullptr) return SSL_write(ssl, buf, static_cast<int>(n)) > 0;
  return SendAll(fd, buf, n);
}

SSL_CTX* BuildContext(const web::TlsConfig& tls, std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    *error = "cannot create a TLS context";
    return nullptr;
  }
  if (!web::ConfigureSslCtx(ctx, tls, error)) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace

std::string TlsFilesSignature(const web::TlsConfig& tls) {
  std::string sig;
  for (const std::string* path :
       {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
    struct stat st {};
    if (path->empty() || stat(path->c_str(), &st) != 0) {
      sig += "-;";
      continue;
    }
    sig += std::to_string(st.st_ino) + "," + std::to_string(st.st_size) + "," +
           std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + ";";
  }
  return sig;
}

Front::~Front() { Stop(); }

bool Front::Start(const FrontOptions& options, const web::TlsConfig& tls,
                  std::string* error) {
  options_ = options;
  listen_fds_ = options.listen_fds;
  if (options.tls) {
    std::string signature = TlsFilesSignature(tls);
    SSL_CTX* ctx = BuildContext(tls, error);
    if (ctx == nullptr) {
      for (int fd : listen_fds_) close(fd);
      listen_fds_.clear();
      return false;
    }
    MutexLock lock(&mu_);
    ssl_ctx_ = ctx;
    tls_ = tls;
    files_signature_ = signature;
    last_file_check_ = time(nullptr);
  }
  if (pipe2(wake_, O_CLOEXEC) != 0) {
    *error = std::strerror(errno);
    for (int fd : listen_fds_) close(fd);
    listen_fds_.clear();
    return false;
  }
  stopping_ = false;
  started_ = true;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return true;
}

bool Front::ReloadTls(const web::TlsConfig& tls, std::string* error) {
  std::string signature = TlsFilesSignature(tls);
  SSL_CTX* ctx = BuildContext(tls, error);
  if (ctx == nullptr) return false;
  MutexLock lock(&mu_);
  // SSL objects hold their own reference: open connections keep theirs.
  if (ssl_ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
  ssl_ctx_ = ctx;
  tls_ = tls;
  files_signature_ = signature;
  return true;
}

void Front::MaybeReloadChangedFiles() {
  web::TlsConfig tls;
  {
    MutexLock lock(&mu_);
    time_t now = time(nullptr);
    if (now == last_file_check_) return;
    last_file_check_ = now;
    if (TlsFilesSignature(tls_) == files_signature_) return;
    tls = tls_;
  }
  std::string err;
  if (ReloadTls(tls, &err)) {
    LogInfo("TLS certificate reloaded", {{"cert_file", tls.cert_file}});
    return;
  }
  // Half-written files during a rotation: try again on the next change.
  LogWarn(
      "TLS certificate files changed but cannot be loaded; keeping the "
      "old ones",
      {{"err", err}});
  MutexLock lock(&mu_);
  files_signature_ = TlsFilesSignature(tls);
}

void* Front::NewSsl() {
  MutexLock lock(&mu_);
  return SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
}

void Front::AcceptLoop() {
  std::vector<pollfd> fds;
  for (int fd : listen_fds_) fds.push_back({fd, POLLIN, 0});
  fds.push_back({wake_[0], POLLIN, 0});
  while (!stopping_) {
    for (auto& p : fds) p.revents = 0;
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (stopping_ || fds.back().revents) return;
    for (size_t i = 0; i + 1 < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      int fd = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
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
}

void Front::Serve(int client_fd) {
  NoDelay(client_fd);
  // Bounds the handshake and every later blocking read/write: a client that
  // stalls mid-record or stops reading is dropped.
  SetTimeouts(client_fd, options_.handshake_timeout_ms);
  if (!options_.tls) {
    Relay(client_fd, nullptr);
  } else {
    MaybeReloadChangedFiles();
    SSL* ssl = static_cast<SSL*>(NewSsl());
    if (ssl != nullptr && SSL_set_fd(ssl, client_fd) == 1 &&
        SSL_accept(ssl) == 1 && !stopping_) {
      Relay(client_fd, ssl);
    }
    if (ssl != nullptr) {
      SSL_shutdown(ssl);  // best effort close_notify; bounded by the timeouts
      SSL_free(ssl);
    }
    ERR_clear_error();
  }
  MutexLock lock(&mu_);
  client_fds_.erase(client_fd);
  close(client_fd);
  --active_;
  idle_.NotifyAll();
}

void Front::Relay(int client_fd, void* ssl_ptr) {
  auto* ssl = static_cast<SSL*>(ssl_ptr);
  int backend = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(options_.backend_port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  if (backend < 0 ||
      connect(backend, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0 ||
      getsockname(backend, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
    if (backend >= 0) close(backend);
    return;
  }
  NoDelay(backend);
  SetTimeouts(backend, options_.handshake_timeout_ms);
  const int relay_port = ntohs(local.sin_port);
  {
    MutexLock lock(&mu_);
    relay_ports_.insert(relay_port);
  }
  char buf[16384];
  while (!stopping_) {
    bool client_ready = ssl != nullptr && SSL_pending(ssl) > 0;
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
      ssize_t r = ClientRead(client_fd, ssl, buf, sizeof(buf));
      if (r <= 0 || !SendAll(backend, buf, static_cast<size_t>(r))) break;
    }
    if (backend_ready) {
      ssize_t r = recv(backend, buf, sizeof(buf), 0);
      if (r <= 0 || !ClientWrite(client_fd, ssl, buf, static_cast<size_t>(r))) {
        break;
      }
    }
  }
  close(backend);
  MutexLock lock(&mu_);
  relay_ports_.erase(relay_port);
}

bool Front::IsRelayPort(int port) {
  MutexLock lock(&mu_);
  return relay_ports_.count(port) > 0;
}

void Front::Stop() {
  if (!started_) {
    for (int fd : listen_fds_) close(fd);
    listen_fds_.clear();
    return;
  }
  started_ = false;
  stopping_ = true;
  if (write(wake_[1], "x", 1) < 0) {
    // The acceptor also checks stopping_ after every poll.
  }
  if (acceptor_.joinable()) acceptor_.join();
  for (int fd : listen_fds_) close(fd);
  listen_fds_.clear();
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
    // A relay thread still running (it cannot be, short of a stuck kernel
    // call) would use the context: leak it rather than free it under that
    // thread.
    if (drained && ssl_ctx_ != nullptr) {
      SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
      ssl_ctx_ = nullptr;
    }
  }
  close(wake_[0]);
  close(wake_[1]);
}

}  // namespace memwatch
