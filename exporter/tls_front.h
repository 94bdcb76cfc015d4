// TLS termination in front of civetweb. Debian's civetweb 1.15 cannot load
// OpenSSL 3 at run time (it looks up SSL_get_peer_certificate, which
// libssl.so.3 no longer exports, and then crashes on the first TLS
// connection), so with tls_server_config we accept TLS ourselves with OpenSSL
// and relay the plaintext to civetweb listening on an ephemeral loopback port.
// Requests reaching that port from anywhere but this relay are refused by the
// HTTP server (IsRelayPort).
#pragma once

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "collectors/base/mutex.h"
#include "exporter/web_config.h"

namespace memwatch {

struct TlsFrontOptions {
  std::string host;  // IPv4 address; empty: every interface
  int port = 0;
  int backend_port = 0;       // civetweb on 127.0.0.1
  int max_connections = 512;  // more are closed at once
  int handshake_timeout_ms = 5000;
  int idle_timeout_ms = 30000;  // no bytes either way: close
};

class TlsFront {
 public:
  TlsFront() = default;
  ~TlsFront();
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  // False with *error saying why it cannot listen / the TLS setup failed.
  bool Start(const TlsFrontOptions& options, const web::TlsConfig& tls,
             std::string* error);
  // Stops accepting, closes every relayed connection and waits for them.
  void Stop() EXCLUDES(mu_);

  // True if 127.0.0.1:`port` is the local end of one of our relay connections.
  bool IsRelayPort(int port) EXCLUDES(mu_);

 private:
  void AcceptLoop() EXCLUDES(mu_);
  void Serve(int client_fd) EXCLUDES(mu_);

  TlsFrontOptions options_;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  Mutex mu_;
  CondVar idle_;
  int active_ GUARDED_BY(mu_) = 0;
  std::set<int> relay_ports_ GUARDED_BY(mu_);
  std::set<int> client_fds_ GUARDED_BY(mu_);
};

}  // namespace memwatch
