#include "exporter/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <memory>

#include "collectors/base/clock.h"
#include "collectors/base/log.h"

namespace memwatch::web {
namespace {

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

}  // namespace

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
  if (require_users_ && fresh.users.empty()) {
    LogError("web config not reloaded, keeping the previous one",
             {{"err",
               "--web.enable-admin-api on a non-loopback address needs "
               "basic_auth_users"}});
    return false;
  }
  if (fresh.tls != config_.tls) {
    LogWarn(
        "web config: tls_server_config changed; send SIGHUP (or POST "
        "/-/reload) to apply it",
        {{"file", path_}});
    fresh.tls = config_.tls;
  }
  config_ = std::move(fresh);
  cache_.clear();
  LogInfo("web config reloaded",
          {{"file", path_}, {"users", std::to_string(config_.users.size())}});
  return true;
}

void Authenticator::Apply(WebConfig config) {
  struct stat st {};
  bool have = !path_.empty() && stat(path_.c_str(), &st) == 0;
  MutexLock lock(&mu_);
  if (have) {
    mtime_sec_ = st.st_mtim.tv_sec;
    mtime_nsec_ = st.st_mtim.tv_nsec;
    size_ = st.st_size;
  }
  last_check_ = MonotonicSeconds();
  config_ = std::move(config);
  cache_.clear();
}

void Authenticator::RequireUsers() {
  MutexLock lock(&mu_);
  require_users_ = true;
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

}  // namespace memwatch::web
