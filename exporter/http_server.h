// The HTTP front: civetweb's C API with one dispatcher over a table of
// exact-path routes. Unknown paths get 404, known paths with another method 405
// (with Allow). Text responses are gzip-compressed when the client accepts it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "collectors/plugin/http.h"

struct mg_context;
struct mg_connection;

namespace memwatch {

class HttpServer {
 public:
  explicit HttpServer(std::vector<HttpRoute> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts listening (civetweb listening_ports syntax). Returns "" or the
  // reason, e.g. the port is already in use.
  std::string Start(const std::string& listening_ports, int threads);
  // Stops accepting and waits for in-flight requests to finish.
  void Stop();

  // Routing decision, exposed for tests.
  HttpResponse Dispatch(const HttpRequest& request) const;

 private:
  static int HandleRequest(mg_connection* conn, void* self);
  // The exact route for `path`, else the longest prefix route, else null.
  const HttpRoute* Find(const std::string& path) const;

  std::map<std::string, HttpRoute> routes_;
  mg_context* ctx_ = nullptr;
};

// Parses "a=1&b=x%20y" into decoded pairs (the last value of a repeated key
// wins).
std::map<std::string, std::string> ParseQueryString(const std::string& query);

}  // namespace memwatch
