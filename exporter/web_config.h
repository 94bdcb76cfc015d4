// --web.config.file: TLS, extra response headers and basic authentication in
// the format every Prometheus exporter shares (prometheus/exporter-toolkit
// docs/web-configuration.md). Parsing is pure (text in, struct out); the TLS
// context is built in tls_context.h, credentials are checked (and the file
// re-read when it changes) in basic_auth.h.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace memwatch {
namespace web {

enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

struct TlsConfig {
  bool enabled = false;  // a tls_server_config section is present
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  int min_version = 0x0303;  // TLS1_2_VERSION, exporter-toolkit's default
  int max_version = 0x0304;  // TLS1_3_VERSION
  // OpenSSL names of the TLS <= 1.2 suites allowed; empty: OpenSSL's default.
  std::vector<std::string> cipher_suites;
  bool prefer_server_cipher_suites = true;

  bool operator==(const TlsConfig& o) const;
  bool operator!=(const TlsConfig& o) const { return !(*this == o); }
};

struct WebConfig {
  TlsConfig tls;
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> users;  // user -> bcrypt hash
};

// Largest web config file read (bytes).
constexpr size_t kMaxWebConfigBytes = 1 << 20;

// Parses the YAML `text`. `name` (the file path) prefixes every error as
// "name:line:col: reason"; relative cert/key/CA paths are resolved against
// `name`'s directory. Unknown keys, bad values and inconsistent TLS settings
// are refused. Returns false with a one-line `error`.
bool ParseWebConfig(const std::string& text, const std::string& name,
                    WebConfig* out, std::string* error);

// Reads (size-capped) and parses `path`.
bool LoadWebConfig(const std::string& path, WebConfig* out, std::string* error);

}  // namespace web
}  // namespace memwatch
