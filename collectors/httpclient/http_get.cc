#include "collectors/httpclient/http_get.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdio>
#include <memory>
#include <mutex>

namespace memwatch::httpclient {
namespace {

struct CurlApi {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

CurlApi curl_api;  // filled once by Init, read-only after
bool curl_loaded = false;
std::string curl_load_error;

template <typename F>
bool Symbol(void* lib, const char* name, F* out, std::string* error) {
  void* p = dlsym(lib, name);
  if (p == nullptr) {
    *error = std::string("libcurl has no ") + name;
    return false;
  }
  *out = reinterpret_cast<F>(p);
  return true;
}

bool LoadCurl(std::string* error) {
  // RTLD_LOCAL: its symbols stay out of the global namespace.
  void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    *error = std::string("cannot load libcurl.so.4 (install libcurl4): ") +
             (why ? why : "unknown error");
    return false;
  }
  CurlApi& a = curl_api;
  return Symbol(lib, "curl_global_init", &a.global_init, error) &&
         Symbol(lib, "curl_easy_init", &a.easy_init, error) &&
         Symbol(lib, "curl_easy_cleanup", &a.easy_cleanup, error) &&
         Symbol(lib, "curl_easy_setopt", &a.easy_setopt, error) &&
         Symbol(lib, "curl_easy_perform", &a.easy_perform, error) &&
         Symbol(lib, "curl_easy_getinfo", &a.easy_getinfo, error) &&
         Symbol(lib, "curl_easy_strerror", &a.easy_strerror, error) &&
         Symbol(lib, "curl_slist_append", &a.slist_append, error) &&
         Symbol(lib, "curl_slist_free_all", &a.slist_free_all, error);
}

struct Body {
  std::string* data;
  size_t max = 0;
  bool too_large = false;
};

size_t OnData(char* ptr, size_t size, size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t len = size * n;
  if (body->data->size() + len > body->max) {
    body->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  body->data->append(ptr, len);
  return len;
}

bool Fail(Failure kind, const std::string& why, Failure* failure,
          std::string* error) {
  *failure = kind;
  *error = why;
  return false;
}

}  // namespace

bool Init(std::string* error) {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_loaded = LoadCurl(&curl_load_error);
    if (curl_loaded && curl_api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      curl_loaded = false;
      curl_load_error = "curl_global_init failed";
    }
  });
  if (!curl_loaded) *error = curl_load_error;
  return curl_loaded;
}

bool Get(const Request& request, Response* response, Failure* failure,
         std::string* error) {
  *failure = Failure::kNone;
  response->status = 0;
  response->body.clear();
  std::string why;
  if (!Init(&why)) return Fail(Failure::kUnavailable, why, failure, error);
  const CurlApi& api = curl_api;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(api.easy_init(),
                                              api.easy_cleanup);
  if (!curl) {
    return Fail(Failure::kUnavailable, "curl_easy_init failed", failure, error);
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
      nullptr, api.slist_free_all);
  for (const std::string& h : request.headers) {
    headers.reset(api.slist_append(headers.release(), h.c_str()));
  }
  Body body{&response->body, request.max_bytes};
  char curl_error[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  api.easy_setopt(h, CURLOPT_URL, request.url.c_str());
  api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM timeouts
  api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms);
  api.easy_setopt(h, CURLOPT_TIMEOUT_MS, request.total_timeout_ms);
  api.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                  static_cast<curl_off_t>(request.max_bytes));
  if (request.accept_gzip) api.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  api.easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  api.easy_setopt(h, CURLOPT_WRITEFUNCTION, OnData);
  api.easy_setopt(h, CURLOPT_WRITEDATA, &body);
  api.easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);
  api.easy_setopt(h, CURLOPT_USERAGENT, "memwatch_exporter");
  if (!request.ca_file.empty()) {
    api.easy_setopt(h, CURLOPT_CAINFO, request.ca_file.c_str());
  }
  CURLcode rc = api.easy_perform(h);
  api.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response->status);
  if (rc == CURLE_OK) return true;
  if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return Fail(
        Failure::kTooLarge,
        "response larger than " + std::to_string(request.max_bytes) + " bytes",
        failure, error);
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%gs",
                  static_cast<double>(request.total_timeout_ms) / 1000);
    return Fail(Failure::kTimeout, std::string("no answer within ") + secs,
                failure, error);
  }
  return Fail(Failure::kNetwork,
              std::string(api.easy_strerror(rc)) +
                  (curl_error[0] ? std::string(": ") + curl_error : ""),
              failure, error);
}

}  // namespace memwatch::httpclient
