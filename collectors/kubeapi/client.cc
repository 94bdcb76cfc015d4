#include "collectors/kubeapi/client.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cctype>
#include <memory>
#include <mutex>

#include "collectors/base/read.h"

namespace memwatch::kubeapi {
namespace {

// A projected service-account token is about 1 KiB.
constexpr size_t kMaxTokenBytes = size_t{64} * 1024;

// libcurl is loaded with dlopen when the collector starts rather than linked:
// with its TLS, LDAP and Kerberos libraries it adds ~3 MB of resident pages to
// every exporter, also those that never talk to the API (the default).
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

CurlApi curl_api;  // filled once by InitHttpClient, read-only after
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
  std::string data;
  size_t max = 0;
  bool too_large = false;
};

size_t OnData(char* ptr, size_t size, size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t len = size * n;
  if (body->data.size() + len > body->max) {
    body->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, len);
  return len;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// The start of a response body, printable, for an error line.
std::string Snippet(const std::string& body) {
  std::string s = body.substr(0, 200);
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 ||
        static_cast<unsigned char>(c) >= 0x7f) {
      c = ' ';
    }
  }
  return s;
}

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kTokenError:
      return "token_error";
    case Outcome::kNetworkError:
      return "network_error";
    case Outcome::kHttpError:
      return "http_error";
    case Outcome::kParseError:
      return "parse_error";
  }
  return "unknown";
}

std::string PodListUrl(const std::string& api_url,
                       const std::string& node_name) {
  std::string base = api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string selector = "spec.nodeName=" + node_name;
  std::string escaped;
  for (unsigned char c : selector) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      escaped += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789ABCDEF";
      escaped += '%';
      escaped += kHex[c >> 4];
      escaped += kHex[c & 15];
    }
  }
  return base + "/api/v1/pods?fieldSelector=" + escaped;
}

bool InitHttpClient(std::string* error) {
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

FetchResult FetchPodList(const ClientOptions& options) {
  FetchResult result;
  std::string token;
  if (!options.token_file.empty()) {
    std::string error;
    if (!ReadFile(options.token_file, &token, &error, nullptr,
                  kMaxTokenBytes)) {
      result.outcome = Outcome::kTokenError;
      result.error = "cannot read the service account token: " + error;
      return result;
    }
    token = Trim(token);
  }

  if (!curl_loaded) {
    result.error = "the HTTP client is not initialized";
    return result;
  }
  const CurlApi& api = curl_api;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(api.easy_init(),
                                              api.easy_cleanup);
  if (!curl) {
    result.error = "curl_easy_init failed";
    return result;
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
      nullptr, api.slist_free_all);
  auto add_header = [&](const std::string& h) {
    headers.reset(api.slist_append(headers.release(), h.c_str()));
  };
  add_header("Accept: application/json");
  if (!token.empty()) add_header("Authorization: Bearer " + token);

  Body body;
  body.max = options.max_bytes;
  char curl_error[CURL_ERROR_SIZE] = {0};
  std::string url = PodListUrl(options.api_url, options.node_name);
  CURL* h = curl.get();
  api.easy_setopt(h, CURLOPT_URL, url.c_str());
  api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM timeouts
  api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  api.easy_setopt(h, CURLOPT_TIMEOUT_MS, options.total_timeout_ms);
  api.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                  static_cast<curl_off_t>(options.max_bytes));
  api.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip: lists shrink ~10x
  api.easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  api.easy_setopt(h, CURLOPT_WRITEFUNCTION, OnData);
  api.easy_setopt(h, CURLOPT_WRITEDATA, &body);
  api.easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);
  api.easy_setopt(h, CURLOPT_USERAGENT, "memwatch_exporter");
  if (!options.ca_file.empty()) {
    api.easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  }

  CURLcode rc = api.easy_perform(h);
  api.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.http_status);
  if (rc != CURLE_OK) {
    result.outcome = Outcome::kNetworkError;
    if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      result.error = "response larger than " +
                     std::to_string(options.max_bytes) + " bytes";
    } else {
      result.error = std::string(api.easy_strerror(rc)) +
                     (curl_error[0] ? std::string(": ") + curl_error : "");
    }
    return result;
  }
  if (result.http_status != 200) {
    result.outcome = Outcome::kHttpError;
    // The API server explains 401/403 in a Status document.
    PodIndex ignored;
    std::string why;
    if (!ParsePodList(body.data, &ignored, &why)) why = Snippet(body.data);
    result.error = "HTTP " + std::to_string(result.http_status) + ": " + why;
    return result;
  }
  std::string error;
  if (!ParsePodList(body.data, &result.pods, &error)) {
    result.outcome = Outcome::kParseError;
    result.error = error;
    return result;
  }
  result.outcome = Outcome::kSuccess;
  return result;
}

}  // namespace memwatch::kubeapi
