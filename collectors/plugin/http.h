// Plain HTTP types a collector uses to serve its own endpoints, kept free of
// civetweb so collectors and their tests do not depend on the server.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace memwatch {

struct HttpRequest {
  std::string method;                        // "GET", "DELETE", ...
  std::string path;                          // without the query string
  std::map<std::string, std::string> query;  // decoded query parameters
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// One path, the methods it accepts, and its handler. The server answers 405 for
// other methods on a known path.
struct HttpRoute {
  std::string path;
  std::vector<std::string> methods;
  HttpHandler handler;
  // Served by GET/HEAD without credentials even when basic auth is configured
  // (liveness/readiness probes). Every other route, and every other method,
  // needs credentials then.
  bool open_without_auth = false;
  // The route changes the exporter's state (e.g. clears history): the server
  // may refuse it unless the caller is authorized (docs/security.md).
  bool state_changing = false;
  // The route also answers every path under `path` (which then ends in '/'),
  // e.g. "/api/v1/heapdiff/" for /api/v1/heapdiff/<id>; exact routes win.
  bool prefix = false;
};

// A JSON error body: {"error": "<message>"} with the message escaped.
HttpResponse JsonError(int status, const std::string& message);

}  // namespace memwatch
