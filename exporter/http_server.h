// The HTTP front: civetweb's C API with one dispatcher over a table of
// exact-path routes. Unknown paths get 404, known paths with another method 405
// (with Allow). Text responses are gzip-compressed when the client accepts it.
// Hardened against idle/slow clients (short header timeouts, many workers, a
// cap on requests in handlers), optionally TLS and basic auth from a
// --web.config.file (exporter/web_config.h).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectors/plugin/http.h"
#include "exporter/basic_auth.h"
#include "exporter/front.h"
#include "exporter/listen_address.h"
#include "exporter/web_config.h"

struct mg_context;
struct mg_connection;

namespace memwatch {

struct HttpServerOptions {
  // Where to listen (exporter/listen_address.h). Plain IPv4 addresses are
  // civetweb's own; IPv6, systemd sockets and, with `tls`, every listener are
  // accepted by a Front that relays to civetweb on an ephemeral loopback
  // port.
  std::vector<ListenSpec> listeners;
  // Worker threads: each holds one connection while it is open, so this is
  // the number of clients (idle ones included) served at once.
  int threads = 128;
  // Requests in handlers at once; more get 503. 0: no cap.
  int max_requests = 40;
  // To receive a request's headers; an idle or trickling client is
  // disconnected after it (civetweb also uses it for each write).
  int request_timeout_ms = 5000;
  // Idle time allowed between requests on a kept-alive connection.
  int keep_alive_timeout_ms = 2000;
  // Largest request head (request line + headers); more is refused (413).
  int max_request_size = 8192;
  // TLS (tls.enabled) and basic auth/headers (auth); auth may be null.
  web::TlsConfig tls;
  web::Authenticator* auth = nullptr;
  // --web.enable-admin-api: routes marked state_changing answer 404 unless
  // set.
  bool admin_api = false;
};

class HttpServer {
 public:
  explicit HttpServer(std::vector<HttpRoute> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts listening. False with the reason in *error, e.g. the port is
  // already in use (naming the address) or the TLS certificate cannot be
  // loaded.
  bool Start(const HttpServerOptions& options, std::string* error);
  // New TLS connections use `tls` (certificate files re-read); false with
  // *error and the old certificate kept. A server without TLS: false.
  bool ReloadTls(const web::TlsConfig& tls, std::string* error);
  // The addresses listened on ("127.0.0.1:9747", "[::]:9747"), after Start:
  // an optional address the host cannot bind is not among them.
  const std::vector<std::string>& BoundAddresses() const { return bound_; }
  // Stops accepting and waits for in-flight requests to finish.
  void Stop();

  // Options without starting (tests of Dispatch/NeedsAuth).
  void SetOptionsForTest(const HttpServerOptions& options) {
    options_ = options;
  }
  // Routing decision, exposed for tests.
  HttpResponse Dispatch(const HttpRequest& request) const;

  // True if the request must carry credentials (auth configured and the route
  // is not open for this method). Exposed for tests.
  bool NeedsAuth(const HttpRequest& request) const;

 private:
  static int HandleRequest(mg_connection* conn, void* self);
  // Binds the listeners the Front serves; false with the address and reason.
  bool BindFrontListeners(std::vector<int>* fds, std::string* error);
  bool StartFront(std::vector<int> fds, std::string* error);
  // The exact route for `path`, else the longest prefix route, else null.
  const HttpRoute* Find(const std::string& path) const;

  std::map<std::string, HttpRoute> routes_;
  HttpServerOptions options_;
  std::atomic<int> in_flight_{0};
  std::unique_ptr<Front> front_;
  int backend_port_ = -1;  // civetweb's loopback port behind the Front
  std::vector<std::string> bound_;
  mg_context* ctx_ = nullptr;
};

// Parses "a=1&b=x%20y" into decoded pairs (the last value of a repeated key
// wins).
std::map<std::string, std::string> ParseQueryString(const std::string& query);

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(const std::string& s);

}  // namespace memwatch
