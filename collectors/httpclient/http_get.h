// Bounded HTTP GET with libcurl, the one HTTP client of the exporter (the
// Kubernetes API, a Node inspector's /json/list). libcurl is loaded with
// dlopen on first use rather than linked: with its TLS, LDAP and Kerberos
// libraries it adds ~3 MB of resident pages to every exporter, also those
// that never make a request (the default).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace memwatch::httpclient {

// Loads libcurl and calls curl_global_init, once; thread-safe. False and
// why (e.g. libcurl4 not installed) when it cannot be loaded. Get calls it.
bool Init(std::string* error);

struct Request {
  std::string url;                   // http:// or https:// only
  std::vector<std::string> headers;  // "Name: value"
  std::string ca_file;               // https: "" = the system's CAs
  long connect_timeout_ms = 5000;
  long total_timeout_ms = 30000;  // connect, request and the whole answer
  size_t max_bytes = 1 << 20;     // of the (decompressed) body
  bool accept_gzip = false;
};

struct Response {
  long status = 0;  // 0 when no response
  std::string body;
};

enum class Failure { kNone, kUnavailable, kNetwork, kTimeout, kTooLarge };

// Blocking, bounded by the request's timeouts and max_bytes; no redirects.
// A non-2xx status is not a failure (the caller reads status and body).
// On failure sets *failure and a one-line *error.
bool Get(const Request& request, Response* response, Failure* failure,
         std::string* error);

}  // namespace memwatch::httpclient
