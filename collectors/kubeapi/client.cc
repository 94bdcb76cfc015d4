#include "collectors/kubeapi/client.h"

#include <cctype>

#include "collectors/base/read.h"
#include "collectors/httpclient/http_get.h"

namespace memwatch::kubeapi {
namespace {

// A projected service-account token is about 1 KiB.
constexpr size_t kMaxTokenBytes = size_t{64} * 1024;

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

bool InitHttpClient(std::string* error) { return httpclient::Init(error); }

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

  httpclient::Request request;
  request.url = PodListUrl(options.api_url, options.node_name);
  request.headers.push_back("Accept: application/json");
  if (!token.empty())
    request.headers.push_back("Authorization: Bearer " + token);
  request.ca_file = options.ca_file;
  request.connect_timeout_ms = options.connect_timeout_ms;
  request.total_timeout_ms = options.total_timeout_ms;
  request.max_bytes = options.max_bytes;
  request.accept_gzip = true;  // pod lists shrink ~10x
  httpclient::Response response;
  httpclient::Failure failure;
  if (!httpclient::Get(request, &response, &failure, &result.error)) {
    result.outcome = Outcome::kNetworkError;
    return result;
  }
  result.http_status = response.status;
  const std::string& body = response.body;
  if (result.http_status != 200) {
    result.outcome = Outcome::kHttpError;
    // The API server explains 401/403 in a Status document.
    PodIndex ignored;
    std::string why;
    if (!ParsePodList(body, &ignored, &why)) why = Snippet(body);
    result.error = "HTTP " + std::to_string(result.http_status) + ": " + why;
    return result;
  }
  std::string error;
  if (!ParsePodList(body, &result.pods, &error)) {
    result.outcome = Outcome::kParseError;
    result.error = error;
    return result;
  }
  result.outcome = Outcome::kSuccess;
  return result;
}

}  // namespace memwatch::kubeapi
