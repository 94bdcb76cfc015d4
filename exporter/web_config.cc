#include "exporter/web_config.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <sys/stat.h>
#include <time.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "collectors/plugin/log.h"

namespace memwatch {
namespace web {

bool TlsConfig::operator==(const TlsConfig& o) const {
  return enabled == o.enabled && cert_file == o.cert_file &&
         key_file == o.key_file && client_ca_file == o.client_ca_file &&
         client_auth == o.client_auth && min_version == o.min_version &&
         max_version == o.max_version && cipher_suites == o.cipher_suites &&
         prefer_server_cipher_suites == o.prefer_server_cipher_suites;
}

namespace {

// Thrown inside the parser; carries "name:line:col: reason".
struct ConfigError {
  std::string message;
};

class Parser {
 public:
  explicit Parser(std::string name) : name_(std::move(name)) {
    auto slash = name_.rfind('/');
    dir_ = slash == std::string::npos ? "" : name_.substr(0, slash + 1);
  }

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& why) const {
    const YAML::Mark m = node.Mark();
    std::string pos = name_;
    if (m.line >= 0) {
      pos +=
          ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    }
    throw ConfigError{pos + ": " + why};
  }

  // Iterates a mapping, refusing duplicates and keys outside `known`.
  template <typename F>
  void ForEachKey(const YAML::Node& map, const std::string& where,
                  const std::set<std::string>& known,
                  const std::set<std::string>& unsupported, F f) const {
    if (map.IsNull()) return;
    if (!map.IsMap()) Fail(map, where + " must be a mapping");
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) Fail(kv.first, "keys must be strings");
      const std::string key = kv.first.Scalar();
      if (!seen.insert(key).second) {
        Fail(kv.first, "duplicate key '" + key + "' in " + where);
      }
      if (unsupported.count(key)) {
        Fail(kv.first, "'" + key + "' in " + where +
                           " is not supported by memwatch_exporter");
      }
      if (!known.count(key)) {
        Fail(kv.first, "unknown key '" + key + "' in " + where);
      }
      f(key, kv.first, kv.second);
    }
  }

  std::string String(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) Fail(n, key + " must be a string");
    return n.Scalar();
  }

  std::string Path(const YAML::Node& n, const std::string& key) const {
    std::string p = String(n, key);
    if (p.empty()) Fail(n, key + " must not be empty");
    if (p[0] != '/') p = dir_ + p;
    return p;
  }

  bool Bool(const YAML::Node& n, const std::string& key) const {
    std::string s = n.IsScalar() ? n.Scalar() : "";
    if (s == "true") return true;
    if (s == "false") return false;
    Fail(n, key + " must be true or false");
  }

  int TlsVersion(const YAML::Node& n, const std::string& key) const {
    std::string s = String(n, key);
    if (s == "TLS10") return TLS1_VERSION;
    if (s == "TLS11") return TLS1_1_VERSION;
    if (s == "TLS12") return TLS1_2_VERSION;
    if (s == "TLS13") return TLS1_3_VERSION;
    Fail(n, key + " '" + s + "' must be one of TLS10, TLS11, TLS12, TLS13");
  }

  ClientAuth Auth(const YAML::Node& n) const {
    std::string s = String(n, "client_auth_type");
    if (s == "NoClientCert") return ClientAuth::kNoClientCert;
    if (s == "RequestClientCert") return ClientAuth::kRequestClientCert;
    if (s == "RequireAnyClientCert") return ClientAuth::kRequireAnyClientCert;
    if (s == "VerifyClientCertIfGiven") {
      return ClientAuth::kVerifyClientCertIfGiven;
    }
    if (s == "RequireAndVerifyClientCert") {
      return ClientAuth::kRequireAndVerifyClientCert;
    }
    Fail(n, "client_auth_type '" + s +
                "' must be one of NoClientCert, RequestClientCert, "
                "RequireAnyClientCert, VerifyClientCertIfGiven, "
                "RequireAndVerifyClientCert");
  }

  void Tls(const YAML::Node& node, TlsConfig* tls) const {
    tls->enabled = true;
    YAML::Node ca_node, auth_node;
    ForEachKey(
        node, "tls_server_config",
        {"cert_file", "key_file", "client_ca_file", "client_auth_type",
         "min_version", "max_version", "cipher_suites",
         "prefer_server_cipher_suites"},
        // Inline PEM, SAN allow-lists and curve choice exist in
        // exporter-toolkit but not here: refuse rather than ignore them.
        {"cert", "key", "client_ca", "client_allowed_sans",
         "curve_preferences"},
        [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
          if (key == "cert_file") {
            tls->cert_file = Path(v, key);
          } else if (key == "key_file") {
            tls->key_file = Path(v, key);
          } else if (key == "client_ca_file") {
            tls->client_ca_file = Path(v, key);
            ca_node = v;
          } else if (key == "client_auth_type") {
            tls->client_auth = Auth(v);
            auth_node = v;
          } else if (key == "min_version") {
            tls->min_version = TlsVersion(v, key);
          } else if (key == "max_version") {
            tls->max_version = TlsVersion(v, key);
          } else if (key == "prefer_server_cipher_suites") {
            tls->prefer_server_cipher_suites = Bool(v, key);
          } else if (key == "cipher_suites") {
            if (!v.IsSequence()) Fail(v, "cipher_suites must be a list");
            for (const auto& c : v) {
              std::string iana = String(c, "a cipher suite");
              // Go and exporter-toolkit use IANA names; OpenSSL its own.
              const char* ossl = OPENSSL_cipher_name(iana.c_str());
              if (ossl == nullptr || std::string(ossl) == "(NONE)") {
                Fail(c, "unknown cipher suite '" + iana +
                            "' (use IANA names such as "
                            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
              }
              tls->cipher_suites.push_back(ossl);
            }
          }
        });
    if (tls->cert_file.empty() || tls->key_file.empty()) {
      Fail(node, "tls_server_config needs both cert_file and key_file");
    }
    if (tls->min_version > tls->max_version) {
      Fail(node, "tls_server_config: min_version is above max_version");
    }
    bool verifies = tls->client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                    tls->client_auth == ClientAuth::kRequireAndVerifyClientCert;
    if (verifies && tls->client_ca_file.empty()) {
      Fail(auth_node, "client_auth_type needs client_ca_file");
    }
    if (!tls->client_ca_file.empty() && !verifies) {
      Fail(ca_node,
           "client_ca_file is set but client_auth_type does not verify "
           "client certificates (use VerifyClientCertIfGiven or "
           "RequireAndVerifyClientCert)");
    }
  }

  void Headers(const YAML::Node& node, WebConfig* out) const {
    // The headers exporter-toolkit allows; others could break the protocol.
    static const std::set<std::string> kAllowed = {
        "Strict-Transport-Security", "X-Content-Type-Options",
        "X-Frame-Options", "X-XSS-Protection", "Content-Security-Policy"};
    ForEachKey(
        node, "headers", kAllowed, {},
        [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
          std::string value = String(v, key);
          for (char c : value) {
            if (c == '\r' || c == '\n' || c == '\0') {
              Fail(v, "header " + key + " has a line break");
            }
          }
          out->headers.emplace_back(key, value);
        });
  }

  static bool IsBcrypt(const std::string& h) {
    // $2b$10$ + 22 salt + 31 hash characters of bcrypt's base64.
    if (h.size() != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' ||
        h[6] != '$') {
      return false;
    }
    if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
    if (!isdigit(static_cast<unsigned char>(h[4])) ||
        !isdigit(static_cast<unsigned char>(h[5]))) {
      return false;
    }
    int cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31) return false;
    for (size_t i = 7; i < h.size(); ++i) {
      char c = h[i];
      if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') {
        return false;
      }
    }
    return true;
  }

  void Users(const YAML::Node& node, WebConfig* out) const {
    if (node.IsNull()) return;
    if (!node.IsMap()) Fail(node, "basic_auth_users must be a mapping");
    for (const auto& kv : node) {
      std::string user = String(kv.first, "a user name");
      if (user.empty()) Fail(kv.first, "empty user name");
      if (user.find(':') != std::string::npos) {
        Fail(kv.first, "user name '" + user + "' contains ':'");
      }
      std::string hash = String(kv.second, "the password hash of " + user);
      if (!IsBcrypt(hash)) {
        Fail(kv.second, "password of user '" + user +
                            "' must be a bcrypt hash ($2a$, $2b$ or $2y$)");
      }
      if (!out->users.emplace(user, hash).second) {
        Fail(kv.first, "duplicate user '" + user + "'");
      }
    }
  }

  void Parse(const std::string& text, WebConfig* out) const {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      std::string pos = name_;
      if (e.mark.line >= 0) {
        pos += ":" + std::to_string(e.mark.line + 1) + ":" +
               std::to_string(e.mark.column + 1);
      }
      throw ConfigError{pos + ": " + e.msg};
    }
    if (root.IsNull()) return;  // an empty file: nothing configured
    ForEachKey(
        root, "the web config",
        {"tls_server_config", "http_server_config", "basic_auth_users"}, {},
        [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
          if (key == "tls_server_config") {
            Tls(v, &out->tls);
          } else if (key == "basic_auth_users") {
            Users(v, out);
          } else if (key == "http_server_config") {
            ForEachKey(v, "http_server_config", {"headers", "http2"}, {},
                       [&](const std::string& k, const YAML::Node&,
                           const YAML::Node& hv) {
                         if (k == "headers") {
                           Headers(hv, out);
                         } else if (Bool(hv, k)) {
                           // civetweb speaks HTTP/1.1 only.
                           Fail(hv, "http2: true is not supported");
                         }
                       });
          }
        });
  }

 private:
  std::string name_;
  std::string dir_;
};

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

// Accepts any client certificate: RequestClientCert and RequireAnyClientCert
// ask for one but do not verify it (as Go's tls package does).
int AcceptAnyCert(int, X509_STORE_CTX*) { return 1; }

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

double MonotonicSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

}  // namespace

bool ParseWebConfig(const std::string& text, const std::string& name,
                    WebConfig* out, std::string* error) {
  WebConfig parsed;
  try {
    Parser(name).Parse(text, &parsed);
  } catch (const ConfigError& e) {
    *error = e.message;
    return false;
  } catch (const YAML::Exception& e) {
    *error = name + ": " + e.msg;
    return false;
  }
  *out = std::move(parsed);
  return true;
}

bool LoadWebConfig(const std::string& path, WebConfig* out,
                   std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot open web config file";
    return false;
  }
  std::string text(kMaxWebConfigBytes + 1, '\0');
  in.read(text.data(), text.size());
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxWebConfigBytes) {
    *error =
        path + ": larger than " + std::to_string(kMaxWebConfigBytes) + " bytes";
    return false;
  }
  return ParseWebConfig(text, path, out, error);
}

bool ConfigureSslCtx(void* ctx_ptr, const TlsConfig& tls, std::string* error) {
  auto* ctx = static_cast<SSL_CTX*>(ctx_ptr);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    *error = "cert_file " + tls.cert_file + ": " + OpenSslError();
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    *error = "key_file " + tls.key_file + ": " + OpenSslError();
    return false;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    *error = "key_file " + tls.key_file + " does not match cert_file " +
             tls.cert_file;
    return false;
  }
  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(),
                                      nullptr) != 1) {
      *error = "client_ca_file " + tls.client_ca_file + ": " + OpenSslError();
      return false;
    }
    STACK_OF(X509_NAME)* names =
        SSL_load_client_CA_file(tls.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);
  }
  switch (tls.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, AcceptAnyCert);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         AcceptAnyCert);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         nullptr);
      break;
  }
  if (SSL_CTX_set_min_proto_version(ctx, tls.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, tls.max_version) != 1) {
    *error = "cannot set TLS versions: " + OpenSslError();
    return false;
  }
  if (!tls.cipher_suites.empty()) {
    std::string list;
    for (const auto& c : tls.cipher_suites)
      list += (list.empty() ? "" : ":") + c;
    if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1) {
      *error = "cipher_suites: " + OpenSslError();
      return false;
    }
  }
  if (tls.prefer_server_cipher_suites) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  } else {
    SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  return true;
}

bool CheckTlsConfig(const TlsConfig& tls, std::string* error) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(
      SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!ctx) {
    *error = "cannot create a TLS context: " + OpenSslError();
    return false;
  }
  return ConfigureSslCtx(ctx.get(), tls, error);
}

bool ParseBasicAuth(const char* header, std::string* user,
                    std::string* password) {
  if (header == nullptr) return false;
  std::string h(header);
  if (h.size() > 4096 || h.size() < 6) return false;
  std::string scheme = h.substr(0, 6);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme != "basic ") return false;
  std::string b64 = h.substr(6);
  while (!b64.empty() && b64.front() == ' ') b64.erase(0, 1);
  while (!b64.empty() && b64.back() == ' ') b64.pop_back();
  if (b64.empty() || b64.size() % 4 != 0) return false;
  for (char c : b64) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' &&
        c != '=') {
      return false;
    }
  }
  std::string out(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts the bytes '=' padding stands for.
  size_t pad = 0;
  if (b64.back() == '=') ++pad;
  if (b64.size() >= 2 && b64[b64.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  auto colon = out.find(':');
  if (colon == std::string::npos) return false;
  *user = out.substr(0, colon);
  *password = out.substr(colon + 1);
  return true;
}

bool BcryptMatches(const std::string& password, const std::string& hash) {
  if (password.find('\0') != std::string::npos) return false;
  // crypt_data is ~32 KiB: keep it off the worker thread's stack.
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  if (out == nullptr || out[0] == '*') return false;
  std::string result(out);
  return result.size() == hash.size() &&
         CRYPTO_memcmp(result.data(), hash.data(), hash.size()) == 0;
}

Authenticator::Authenticator(std::string path, WebConfig initial)
    : path_(std::move(path)), config_(std::move(initial)) {
  struct stat st {};
  if (!path_.empty() && stat(path_.c_str(), &st) == 0) {
    mtime_sec_ = st.st_mtim.tv_sec;
    mtime_nsec_ = st.st_mtim.tv_nsec;
    size_ = st.st_size;
  }
  last_check_ = MonotonicSeconds();
}

bool Authenticator::MaybeReload(bool force) {
  if (path_.empty()) return false;
  {
    MutexLock lock(&mu_);
    double now = MonotonicSeconds();
    if (!force && now - last_check_ < 1.0) return false;
    last_check_ = now;
    struct stat st {};
    if (stat(path_.c_str(), &st) != 0) return false;  // keep the old one
    if (!force && st.st_mtim.tv_sec == mtime_sec_ &&
        st.st_mtim.tv_nsec == mtime_nsec_ && st.st_size == size_) {
      return false;
    }
    mtime_sec_ = st.st_mtim.tv_sec;
    mtime_nsec_ = st.st_mtim.tv_nsec;
    size_ = st.st_size;
  }
  WebConfig fresh;
  std::string error;
  if (!LoadWebConfig(path_, &fresh, &error)) {
    LogError("web config not reloaded, keeping the previous one",
             {{"err", error}});
    return false;
  }
  MutexLock lock(&mu_);
  if (fresh.tls != config_.tls) {
    LogWarn(
        "web config: tls_server_config changed; restart the exporter to "
        "apply it",
        {{"file", path_}});
    fresh.tls = config_.tls;
  }
  config_ = std::move(fresh);
  cache_.clear();
  LogInfo("web config reloaded",
          {{"file", path_}, {"users", std::to_string(config_.users.size())}});
  return true;
}

bool Authenticator::Enabled() {
  MaybeReload();
  MutexLock lock(&mu_);
  return !config_.users.empty();
}

std::vector<std::pair<std::string, std::string>> Authenticator::Headers() {
  MutexLock lock(&mu_);
  return config_.headers;
}

bool Authenticator::Check(const char* authorization) {
  MaybeReload();
  std::string hash, key;
  std::string user, password;
  {
    MutexLock lock(&mu_);
    if (config_.users.empty()) return true;
    if (!ParseBasicAuth(authorization, &user, &password)) return false;
    auto it = config_.users.find(user);
    // An unknown user still costs a bcrypt run, so response time does not
    // tell which users exist (as exporter-toolkit does).
    hash = it != config_.users.end()
               ? it->second
               : "$2b$10$memwatchexporterdummyem43UIvJx8P9gdP2UwGk8td/IQNZKqH2";
    key = Sha256Hex(user + '\0' + hash + '\0' + password);
    if (it != config_.users.end() && cache_.count(key)) return true;
    if (it == config_.users.end()) key.clear();
  }
  bool ok = BcryptMatches(password, hash) && !key.empty();
  if (ok) {
    MutexLock lock(&mu_);
    if (cache_.size() >= 1024) cache_.clear();  // bounded
    cache_[key] = true;
  }
  return ok;
}

}  // namespace web
}  // namespace memwatch
