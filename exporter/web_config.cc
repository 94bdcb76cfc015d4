#include "exporter/web_config.h"

#include <openssl/ssl.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <sstream>

#include "collectors/base/read.h"

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
  // Through the bounded reader: a FIFO or device given as the file is refused
  // at once instead of blocking the exporter (and SIGTERM) at start.
  std::string text;
  if (!ReadFile(path, &text, error, nullptr, kMaxWebConfigBytes)) return false;
  return ParseWebConfig(text, path, out, error);
}

}  // namespace web
}  // namespace memwatch
