// Reloading without a restart (SIGHUP, POST /-/reload): the targets file
// (--targets.config with the other target flags) and --web.config.file (basic
// auth users, headers, and the TLS certificate, key and client CA, re-read
// from disk so that a cert-manager rotation needs no restart). All or
// nothing: a file that does not parse, a certificate that does not load, or a
// change that needs a restart is logged and the running configuration kept,
// as Prometheus does; memwatch_exporter_config_last_reload_successful says
// which.
#pragma once

#include <memory>
#include <string>

#include "collectors/base/mutex.h"
#include "collectors/targets/resolver.h"
#include "exporter/basic_auth.h"
#include "exporter/scraper.h"
#include "exporter/web_config.h"

namespace memwatch {

class HttpServer;

// The shared resolver collectors hold, whose targets a reload replaces.
// Thread-safe; Resolve() runs on the resolver current when it starts.
class ReloadableResolver : public targets::Resolver {
 public:
  explicit ReloadableResolver(std::shared_ptr<targets::Resolver> inner);
  std::vector<targets::Target> Resolve() override EXCLUDES(mu_);
  std::map<std::string, uint64_t> PidfileErrorCounts() const override
      EXCLUDES(mu_);
  void SetKubeNames(std::shared_ptr<const targets::KubeNameSource> names)
      override EXCLUDES(mu_);
  std::vector<std::string> ContainerCgroupPaths() override EXCLUDES(mu_);
  bool WatchesContainers() const override EXCLUDES(mu_);
  std::shared_ptr<const std::set<std::string>> PresentNames() const override
      EXCLUDES(mu_);
  // From now on, `inner` answers (it gets the Kubernetes names too).
  void Replace(std::shared_ptr<targets::Resolver> inner) EXCLUDES(mu_);

 private:
  std::shared_ptr<targets::Resolver> Current() const EXCLUDES(mu_);
  mutable Mutex mu_;
  std::shared_ptr<targets::Resolver> inner_ GUARDED_BY(mu_);
  std::shared_ptr<const targets::KubeNameSource> names_ GUARDED_BY(mu_);
  std::shared_ptr<const std::set<std::string>> present_ GUARDED_BY(mu_);
};

struct ReloadOptions {
  std::string web_config_file;  // --web.config.file; "" when none
  bool tls_enabled = false;  // TLS at start: turning it on/off needs a restart
  bool require_users = false;  // admin API beyond loopback: users must stay
  std::string procfs_root;
  std::string cgroupfs_root;  // --path.cgroupfs, for --targets.containers
  int self_pid = 0;
};

class Reloader {
 public:
  Reloader(ReloadOptions options, web::Authenticator* auth,
           ReloadableResolver* resolver);
  // The server whose TLS certificate a reload replaces (set once started).
  void SetServer(HttpServer* server) EXCLUDES(mu_);
  // Re-reads everything; false with the reason (also logged), the old
  // configuration kept. One reload at a time.
  bool Reload(std::string* error) EXCLUDES(mu_);
  // memwatch_exporter_config_last_reload_successful and
  // memwatch_exporter_config_last_reload_success_timestamp_seconds.
  Scraper::FixedSource MetricsSource();

 private:
  bool ReloadLocked(std::string* error) REQUIRES(mu_);

  const ReloadOptions options_;
  web::Authenticator* const auth_;
  ReloadableResolver* const resolver_;
  Mutex mu_;
  HttpServer* server_ GUARDED_BY(mu_) = nullptr;
  bool last_ok_ GUARDED_BY(mu_) = true;
  double last_success_ GUARDED_BY(mu_);  // Unix time; start counts as one
};

}  // namespace memwatch
