// The listeners civetweb cannot serve itself, relayed to it. Debian's
// civetweb 1.15 is built without IPv6, cannot take sockets passed by systemd,
// and cannot load OpenSSL 3 at run time (it looks up SSL_get_peer_certificate,
// which libssl.so.3 no longer exports, and then crashes on the first TLS
// connection). So IPv6 addresses, systemd sockets and every TLS listener are
// accepted here (TLS terminated with OpenSSL) and relayed as plaintext to
// civetweb on an ephemeral loopback port. Plain IPv4 listeners stay with
// civetweb (no relay on the usual scrape path). Requests reaching the
// loopback port from anywhere but this relay are refused by the HTTP server
// (IsRelayPort).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <ctime>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "collectors/base/mutex.h"
#include "exporter/web_config.h"

namespace memwatch {

struct FrontOptions {
  std::vector<int> listen_fds;  // listening sockets; owned (closed by Stop)
  bool tls = false;             // every listener speaks TLS
  int backend_port = 0;         // civetweb on 127.0.0.1
  int max_connections = 512;    // more are closed at once
  int handshake_timeout_ms = 5000;
  int idle_timeout_ms = 30000;  // no bytes either way: close
};

class Front {
 public:
  Front() = default;
  ~Front();
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // Takes the listening fds (closed by Stop, or at once when this fails).
  // False with *error when the TLS setup fails.
  bool Start(const FrontOptions& options, const web::TlsConfig& tls,
             std::string* error) EXCLUDES(mu_);
  // Stops accepting, closes every relayed connection and waits for them.
  void Stop() EXCLUDES(mu_);

  // True if 127.0.0.1:`port` is the local end of one of our relay connections.
  bool IsRelayPort(int port) EXCLUDES(mu_);

  // Builds a TLS context from `tls` (re-reading its certificate, key and CA
  // files) and uses it for new connections; connections open now keep the
  // old one. False with *error, the old context kept, when the files are bad.
  bool ReloadTls(const web::TlsConfig& tls, std::string* error) EXCLUDES(mu_);

 private:
  void AcceptLoop() EXCLUDES(mu_);
  void Serve(int client_fd) EXCLUDES(mu_);
  // Relays between client_fd (through `ssl` when not null) and the backend.
  void Relay(int client_fd, void* ssl) EXCLUDES(mu_);
  // Certificate files changed since they were read (checked at most once a
  // second): reload them, as exporter-toolkit reads them per handshake.
  void MaybeReloadChangedFiles() EXCLUDES(mu_);
  // A new SSL for a connection, from the current context.
  void* NewSsl() EXCLUDES(mu_);

  FrontOptions options_;
  std::vector<int> listen_fds_;
  int wake_[2] = {-1, -1};
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  Mutex mu_;
  CondVar idle_;
  void* ssl_ctx_ GUARDED_BY(mu_) = nullptr;  // SSL_CTX*
  web::TlsConfig tls_ GUARDED_BY(mu_);
  std::string files_signature_ GUARDED_BY(mu_);
  time_t last_file_check_ GUARDED_BY(mu_) = 0;
  int active_ GUARDED_BY(mu_) = 0;
  std::set<int> relay_ports_ GUARDED_BY(mu_);
  std::set<int> client_fds_ GUARDED_BY(mu_);
};

// mtime, size and inode of the TLS files (cert, key, client CA), to notice a
// rotation (cert-manager swaps a symlink: a new inode).
std::string TlsFilesSignature(const web::TlsConfig& tls);

}  // namespace memwatch
