#include "exporter/http_server.h"

#include <civetweb.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "collectors/base/log.h"
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
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

// Bodies larger than this are written apart from the head (no copy).
constexpr size_t kSeparateBodyBytes = 64 * 1024;

bool IsCompressible(const std::string& content_type) {
  return content_type.rfind("text/", 0) == 0 ||
         content_type.rfind("application/json", 0) == 0;
}

}  // namespace

HttpServer::HttpServer(std::vector<HttpRoute> routes) {
  for (auto& r : routes) {
    std::string path = r.path;
    routes_[path] = std::move(r);
  }
}

HttpServer::~HttpServer() { Stop(); }

namespace {

// Served by civetweb itself: plain IPv4 addresses it binds.
bool ForCivetweb(const ListenSpec& spec, bool tls) {
  return !tls && spec.fd < 0 && spec.family() == AF_INET;
}

// civetweb's listening_ports entry: "9747" for every interface.
std::string CivetPort(const ListenSpec& spec) {
  std::string numeric = spec.Numeric();
  if (numeric.rfind("0.0.0.0:", 0) == 0) return std::to_string(spec.port());
  return numeric;
}

// An optional address (of a name, or the IPv6 half of ":port") this host
// cannot bind is left out.
bool Unavailable(int err_no) {
  return err_no == EADDRNOTAVAIL || err_no == EAFNOSUPPORT;
}

}  // namespace

bool HttpServer::BindFrontListeners(std::vector<int>* fds, std::string* error) {
  for (const ListenSpec& spec : options_.listeners) {
    if (ForCivetweb(spec, options_.tls.enabled)) continue;
    if (spec.fd >= 0) {
      fds->push_back(spec.fd);
      bound_.push_back(spec.Numeric());
      continue;
    }
    int err_no = 0;
    std::string err;
    int fd = BindListen(spec, &err_no, &err);
    if (fd >= 0) {
      fds->push_back(fd);
      bound_.push_back(spec.Numeric());
    } else if (!(spec.optional && Unavailable(err_no))) {
      for (int f : *fds) close(f);
      fds->clear();
      *error =
          "listen tcp " + spec.Numeric() + " (" + spec.address + "): " + err;
      return false;
    }
  }
  return true;
}

bool HttpServer::Start(const HttpServerOptions& options, std::string* error) {
  options_ = options;
  bound_.clear();
  std::vector<int> front_fds;
  if (!BindFrontListeners(&front_fds, error)) return false;
  std::string ports;
  for (const ListenSpec& spec : options.listeners) {
    if (!ForCivetweb(spec, options.tls.enabled)) continue;
    int err_no = 0;
    std::string err;
    if (spec.optional) {  // check it before civetweb fails on it
      int fd = BindListen(spec, &err_no, &err);
      if (fd >= 0) close(fd);
      if (fd < 0 && Unavailable(err_no)) continue;
    }
    ports += (ports.empty() ? "" : ",") + CivetPort(spec);
    bound_.push_back(spec.Numeric());
  }
  // The Front's target comes last in civetweb's port list.
  if (!front_fds.empty())
    ports += (ports.empty() ? "" : ",") + std::string("127.0.0.1:0");
  if (ports.empty()) {
    *error = "no listen address can be bound on this host";
    return false;
  }
  std::string threads = std::to_string(options.threads);
  std::string request_timeout = std::to_string(options.request_timeout_ms);
  std::string keep_alive_timeout =
      std::to_string(options.keep_alive_timeout_ms);
  std::string max_request = std::to_string(options.max_request_size);
  // Pending accepted connections waiting for a worker; more wait in the
  // kernel's listen backlog.
  std::string queue = std::to_string(options.threads);
  const char* config[] = {
      "listening_ports", ports.c_str(), "num_threads", threads.c_str(),
      "enable_keep_alive", "yes", "request_timeout_ms", request_timeout.c_str(),
      "keep_alive_timeout_ms", keep_alive_timeout.c_str(), "max_request_size",
      max_request.c_str(), "connection_queue", queue.c_str(), "listen_backlog",
      "1024",
      // Headers and body go out in one write anyway;
      // this also covers civetweb's own error pages.
      "tcp_nodelay", "1", "decode_query_string", "no", nullptr};
  mg_callbacks callbacks{};
  // Keep civetweb's own error lines out of stderr; we report the error
  // ourselves.
  callbacks.log_message = [](const mg_connection*, const char*) { return 1; };
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = this;
  init.configuration_options = config;
  char text[256] = {0};
  unsigned code = 0;
  mg_error_data start_error{};
  start_error.code = &code;
  start_error.text = text;
  start_error.text_buffer_size = sizeof(text);
  mg_init_library(0);
  ctx_ = mg_start2(&init, &start_error);
  if (ctx_ == nullptr) {
    for (int fd : front_fds) close(fd);
    *error = text[0] ? text : "civetweb failed to start";
    // civetweb only says "Failed to setup server ports": find which.
    for (const ListenSpec& spec : options.listeners) {
      if (!ForCivetweb(spec, options.tls.enabled)) continue;
      int err_no = 0;
      std::string err;
      int fd = BindListen(spec, &err_no, &err);
      if (fd >= 0) {
        close(fd);
      } else {
        *error =
            "listen tcp " + spec.Numeric() + " (" + spec.address + "): " + err;
        break;
      }
    }
    return false;
  }
  mg_set_request_handler(ctx_, "/", &HttpServer::HandleRequest, this);
  return front_fds.empty() || StartFront(std::move(front_fds), error);
}

bool HttpServer::StartFront(std::vector<int> fds, std::string* error) {
  mg_server_port bound[64];
  int n = mg_get_server_ports(ctx_, 64, bound);
  FrontOptions front;
  front.listen_fds = std::move(fds);
  front.tls = options_.tls.enabled;
  front.backend_port = n >= 1 ? bound[n - 1].port : 0;
  front.max_connections = std::max(64, options_.threads * 4);
  front.handshake_timeout_ms = options_.request_timeout_ms;
  backend_port_ = front.backend_port;
  front_ = std::make_unique<Front>();
  std::string err = "civetweb did not report its loopback port";
  if (front.backend_port <= 0) {
    for (int fd : front.listen_fds) close(fd);
    Stop();
    *error = err;
    return false;
  }
  if (!front_->Start(front, options_.tls, &err)) {  // closes the fds itself
    Stop();
    *error = err;
    return false;
  }
  return true;
}

bool HttpServer::ReloadTls(const web::TlsConfig& tls, std::string* error) {
  if (front_ == nullptr || !options_.tls.enabled) {
    *error = "TLS is not enabled";
    return false;
  }
  return front_->ReloadTls(tls, error);
}

void HttpServer::Stop() {
  if (front_) {
    front_->Stop();  // no new relayed requests reach civetweb after this
    front_.reset();
  }
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

bool HttpServer::NeedsAuth(const HttpRequest& request) const {
  if (options_.auth == nullptr || !options_.auth->Enabled()) return false;
  const HttpRoute* route = Find(request.path);
  bool safe = request.method == "GET" || request.method == "HEAD";
  return !(route != nullptr && route->open_without_auth && safe);
}

HttpResponse HttpServer::Dispatch(const HttpRequest& request) const {
  const HttpRoute* found = Find(request.path);
  // Without --web.enable-admin-api a state-changing route does not exist.
  if (found != nullptr && found->state_changing && !options_.admin_api) {
    found = nullptr;
  }
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

  // Counts this request until the function returns.
  struct InFlight {
    std::atomic<int>& n;
    int now;
    explicit InFlight(std::atomic<int>& c) : n(c), now(++c) {}
    ~InFlight() { --n; }
  } in_flight(self->in_flight_);

  HttpResponse resp;
  bool unauthorized = false;
  bool valid = IsValidUtf8(req.path);
  for (const auto& kv : req.query) {
    valid = valid && IsValidUtf8(kv.first) && IsValidUtf8(kv.second);
  }
  // civetweb's loopback port behind the Front must only be reached through
  // the relay; anything else would bypass TLS and client certificates.
  bool direct = self->front_ != nullptr &&
                info->server_port == self->backend_port_ &&
                (std::strcmp(info->remote_addr, "127.0.0.1") != 0 ||
                 !self->front_->IsRelayPort(info->remote_port));
  if (direct) {
    resp = JsonError(403, "connect through the exporter's listen address");
  } else if (self->options_.max_requests > 0 &&
             in_flight.now > self->options_.max_requests) {
    resp = JsonError(503, "too many concurrent requests, retry later");
  } else if (!valid) {
    // Handlers echo names back in JSON; refuse bytes that are not text.
    resp = JsonError(400, "path or query string is not valid UTF-8");
  } else if (self->NeedsAuth(req) && !self->options_.auth->Check(mg_get_header(
                                         conn, "Authorization"))) {
    unauthorized = true;
    resp.status = 401;
    resp.content_type = "text/plain; charset=utf-8";
    resp.body = "Unauthorized\n";
  } else {
    resp = self->Dispatch(req);
  }

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
  // Head and body in ONE write: two small writes on a kept-alive connection
  // meet Nagle and delayed ACK and cost ~40 ms per response.
  std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                    StatusText(resp.status) +
                    "\r\nContent-Type: " + resp.content_type +
                    "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nCache-Control: no-cache\r\n";
  if (gzip) out += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
  if (!allow.empty()) out += "Allow: " + allow + "\r\n";
  if (unauthorized) {
    out += "WWW-Authenticate: Basic realm=\"memwatch_exporter\"\r\n";
  }
  if (resp.status == 503) out += "Retry-After: 1\r\n";
  if (self->options_.auth != nullptr) {
    for (const auto& h : self->options_.auth->Headers()) {
      out += h.first + ": " + h.second + "\r\n";
    }
  }
  out += "\r\n";
  const bool send_body = req.method != "HEAD";
  // A large body (a scrape of many targets) goes out in a second write
  // rather than being copied behind the head: tcp_nodelay is on, so the
  // second write is not held back by Nagle.
  if (send_body && body.size() > kSeparateBodyBytes) {
    mg_write(conn, out.data(), out.size());
    mg_write(conn, body.data(), body.size());
  } else {
    if (send_body) out += body;
    mg_write(conn, out.data(), out.size());
  }
  return static_cast<int>(resp.status);
}

}  // namespace memwatch
