// --web.config.file: TLS, extra response headers and basic authentication in
// the format every Prometheus exporter shares (prometheus/exporter-toolkit
// docs/web-configuration.md). Parsing is pure (text in, struct out); the
// Authenticator re-reads the file when its mtime changes so users can be added
// or removed without a restart.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "collectors/plugin/mutex.h"

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

// Applies `tls` to an OpenSSL SSL_CTX (passed as void* so callers need no
// OpenSSL headers): certificate chain and key, client CA and verification mode,
// protocol versions, cipher suites. Returns false with a one-line `error`.
bool ConfigureSslCtx(void* ssl_ctx, const TlsConfig& tls, std::string* error);

// Builds a throw-away SSL_CTX with `tls` to report certificate/key problems at
// start (exit 2) instead of at the first handshake.
bool CheckTlsConfig(const TlsConfig& tls, std::string* error);

// "Basic dXNlcjpwdw==" -> user, password. False if not a valid Basic header.
bool ParseBasicAuth(const char* header, std::string* user,
                    std::string* password);

// True if `password` matches the bcrypt `hash` ($2a$/$2b$/$2y$), verified with
// libcrypt's crypt_r.
bool BcryptMatches(const std::string& password, const std::string& hash);

// Holds the live configuration: checks credentials (caching successful bcrypt
// verifications) and re-reads the file when it changes. Thread-safe.
class Authenticator {
 public:
  // `path` empty: no web config, everything open.
  Authenticator(std::string path, WebConfig initial);

  // True if basic auth is configured.
  bool Enabled() EXCLUDES(mu_);
  // True if no users are configured or `authorization` (the header value,
  // may be null) carries valid credentials.
  bool Check(const char* authorization) EXCLUDES(mu_);
  // Extra response headers from http_server_config.headers.
  std::vector<std::pair<std::string, std::string>> Headers() EXCLUDES(mu_);
  // Re-reads the file if its mtime or size changed (at most once a second
  // unless `force`). A broken file is logged and the previous configuration
  // kept. Returns true if a new configuration was applied.
  bool MaybeReload(bool force = false) EXCLUDES(mu_);

 private:
  std::string path_;
  Mutex mu_;
  WebConfig config_ GUARDED_BY(mu_);
  time_t mtime_sec_ GUARDED_BY(mu_) = 0;
  long mtime_nsec_ GUARDED_BY(mu_) = 0;
  off_t size_ GUARDED_BY(mu_) = -1;
  double last_check_ GUARDED_BY(mu_) = 0;
  // sha256(user, hash, password) of recent successful verifications: bcrypt
  // costs ~50 ms at cost 10, too much for every scrape.
  std::map<std::string, bool> cache_ GUARDED_BY(mu_);
};

}  // namespace web
}  // namespace memwatch
