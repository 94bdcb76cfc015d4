// basic_auth_users of --web.config.file: credentials checked with bcrypt
// (libcrypt), the file re-read when it changes so users can be added or
// removed without a restart.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "collectors/base/mutex.h"
#include "exporter/web_config.h"

namespace memwatch::web {

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
  // Uses `config` from now on (a reload that read and checked the file).
  void Apply(WebConfig config) EXCLUDES(mu_);
  // A changed file without basic_auth_users is not applied (the admin API
  // is on and listens beyond loopback).
  void RequireUsers() EXCLUDES(mu_);

 private:
  std::string path_;
  Mutex mu_;
  WebConfig config_ GUARDED_BY(mu_);
  time_t mtime_sec_ GUARDED_BY(mu_) = 0;
  long mtime_nsec_ GUARDED_BY(mu_) = 0;
  off_t size_ GUARDED_BY(mu_) = -1;
  double last_check_ GUARDED_BY(mu_) = 0;
  bool require_users_ GUARDED_BY(mu_) = false;
  // sha256(user, hash, password) of recent successful verifications: bcrypt
  // costs ~50 ms at cost 10, too much for every scrape.
  std::map<std::string, bool> cache_ GUARDED_BY(mu_);
};

}  // namespace memwatch::web
