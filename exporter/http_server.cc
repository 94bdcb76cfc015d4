#include "exporter/http_server.h"

#include <civetweb.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "collectors/plugin/log.h"
#include "exporter/gzip.h"

namespace memwatch {
namespace {

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

std::string UrlDecode(const std::string& s) {
  std::string out(s.size() + 1, '\0');
  int n =
      mg_url_decode(s.c_str(), static_cast<int>(s.size()), out.data(),
                    static_cast<int>(out.size()), /*is_form_url_encoded=*/1);
  out.resize(n < 0 ? 0 : n);
  return out;
}

bool IsCompressible(const std::string& content_type) {
  return content_type.rfind("text/", 0) == 0 ||
         content_type.rfind("application/json", 0) == 0;
}

}  // namespace

std::map<std::string, std::string> ParseQueryString(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = UrlDecode(part.substr(0, eq));
      std::string val =
          eq == std::string::npos ? "" : UrlDecode(part.substr(eq + 1));
      out[key] = val;
    }
    pos = amp + 1;
  }
  return out;
}

HttpServer::HttpServer(std::vector<HttpRoute> routes) {
  for (auto& r : routes) {
    std::string path = r.path;
    routes_[path] = std::move(r);
  }
}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::Start(const std::string& listening_ports, int threads) {
  std::string nthreads = std::to_string(threads);
  const char* options[] = {"listening_ports",
                           listening_ports.c_str(),
                           "num_threads",
                           nthreads.c_str(),
                           "enable_keep_alive",
                           "yes",
                           "request_timeout_ms",
                           "30000",
                           nullptr};
  mg_callbacks callbacks{};
  // Keep civetweb's own error lines out of stderr; we report the error
  // ourselves.
  callbacks.log_message = [](const mg_connection*, const char*) { return 1; };
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.configuration_options = options;
  char text[256] = {0};
  unsigned code = 0;
  mg_error_data error{};
  error.code = &code;
  error.text = text;
  error.text_buffer_size = sizeof(text);
  mg_init_library(0);
  ctx_ = mg_start2(&init, &error);
  if (ctx_ == nullptr) {
    std::string reason = text[0] ? text : "civetweb failed to start";
    return reason;
  }
  mg_set_request_handler(ctx_, "/", &HttpServer::HandleRequest, this);
  return "";
}

void HttpServer::Stop() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);  // joins worker threads: in-flight requests complete first
    ctx_ = nullptr;
  }
}

const HttpRoute* HttpServer::Find(const std::string& path) const {
  auto it = routes_.find(path);
  if (it != routes_.end()) return &it->second;
  // The longest prefix route under which the path falls.
  const HttpRoute* best = nullptr;
  for (const auto& [p, route] : routes_) {
    if (route.prefix && path.size() > p.size() &&
        path.compare(0, p.size(), p) == 0 &&
        (best == nullptr || p.size() > best->path.size())) {
      best = &route;
    }
  }
  return best;
}

HttpResponse HttpServer::Dispatch(const HttpRequest& request) const {
  const HttpRoute* found = Find(request.path);
  if (found == nullptr) {
    HttpResponse r;
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "404 page not found: " + request.path + "\n";
    return r;
  }
  const HttpRoute& route = *found;
  // HEAD is answered wherever GET is (the body is then not sent).
  const std::string& method = request.method == "HEAD" ? "GET" : request.method;
  bool allowed = std::find(route.methods.begin(), route.methods.end(),
                           method) != route.methods.end();
  if (!allowed) {
    HttpResponse r;
    r.status = 405;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "405 method " + request.method + " not allowed on " +
             request.path + "\n";
    return r;
  }
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    LogError("handler failed", {{"path", request.path}, {"err", e.what()}});
    return JsonError(500, std::string("internal error: ") + e.what());
  }
}

int HttpServer::HandleRequest(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<HttpServer*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  HttpRequest req;
  req.method = info->request_method ? info->request_method : "";
  req.path = info->local_uri ? info->local_uri : "/";
  if (info->query_string) req.query = ParseQueryString(info->query_string);

  HttpResponse resp = self->Dispatch(req);

  std::string allow;
  if (resp.status == 405) {
    const HttpRoute& route = *self->Find(req.path);
    for (const auto& m : route.methods)
      allow += (allow.empty() ? "" : ", ") + m;
  }
  bool gzip = false;
  std::string compressed;
  if (IsCompressible(resp.content_type) && resp.body.size() > 256 &&
      AcceptsGzip(mg_get_header(conn, "Accept-Encoding")) &&
      GzipCompress(resp.body, &compressed)) {
    gzip = true;
  }
  const std::string& body = gzip ? compressed : resp.body;
  std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                     StatusText(resp.status) +
                     "\r\nContent-Type: " + resp.content_type +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nCache-Control: no-cache\r\n";
  if (gzip) head += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
  if (!allow.empty()) head += "Allow: " + allow + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (req.method != "HEAD") mg_write(conn, body.data(), body.size());
  return static_cast<int>(resp.status);
}

}  // namespace memwatch
