#include "exporter/reload.h"

#include <ctime>
#include <utility>

#include "collectors/base/clock.h"
#include "collectors/base/log.h"
#include "collectors/base/utf8.h"
#include "collectors/plugin/metrics.h"
#include "exporter/http_server.h"
#include "exporter/tls_context.h"

namespace memwatch {

ReloadableResolver::ReloadableResolver(std::shared_ptr<targets::Resolver> inner)
    : inner_(std::move(inner)) {}

std::shared_ptr<targets::Resolver> ReloadableResolver::Current() const {
  MutexLock lock(&mu_);
  return inner_;
}

std::vector<targets::Target> ReloadableResolver::Resolve() {
  std::vector<targets::Target> targets = Current()->Resolve();
  auto present = std::make_shared<std::set<std::string>>();
  for (const targets::Target& t : targets) {
    if (t.named || !t.processes.empty()) {
      present->insert(t.name);
      present->insert(SanitizeUtf8(t.name));  // as series carry it
    }
  }
  MutexLock lock(&mu_);
  present_ = std::move(present);
  return targets;
}

std::shared_ptr<const std::set<std::string>> ReloadableResolver::PresentNames()
    const {
  MutexLock lock(&mu_);
  return present_;
}

std::map<std::string, uint64_t> ReloadableResolver::PidfileErrorCounts() const {
  return Current()->PidfileErrorCounts();
}

std::vector<std::string> ReloadableResolver::ContainerCgroupPaths() {
  return Current()->ContainerCgroupPaths();
}

bool ReloadableResolver::WatchesContainers() const {
  return Current()->WatchesContainers();
}

void ReloadableResolver::SetKubeNames(
    std::shared_ptr<const targets::KubeNameSource> names) {
  std::shared_ptr<targets::Resolver> inner;
  {
    MutexLock lock(&mu_);
    names_ = names;
    inner = inner_;
  }
  inner->SetKubeNames(std::move(names));
}

void ReloadableResolver::Replace(std::shared_ptr<targets::Resolver> inner) {
  MutexLock lock(&mu_);
  if (names_) inner->SetKubeNames(names_);
  inner_ = std::move(inner);
}

Reloader::Reloader(ReloadOptions options, web::Authenticator* auth,
                   ReloadableResolver* resolver)
    : options_(std::move(options)),
      auth_(auth),
      resolver_(resolver),
      last_success_(UnixSeconds()) {}

void Reloader::SetServer(HttpServer* server) {
  MutexLock lock(&mu_);
  server_ = server;
}

bool Reloader::Reload(std::string* error) {
  MutexLock lock(&mu_);
  last_ok_ = ReloadLocked(error);
  if (last_ok_) {
    last_success_ = UnixSeconds();
    LogInfo("configuration reloaded");
  } else {
    LogError("configuration not reloaded, keeping the previous one",
             {{"err", *error}});
  }
  return last_ok_;
}

bool Reloader::ReloadLocked(std::string* error) {
  // Read and check everything before applying anything.
  web::WebConfig web;
  if (!options_.web_config_file.empty()) {
    std::string reason;
    if (!web::LoadWebConfig(options_.web_config_file, &web, &reason)) {
      *error = "--web.config.file: " + reason;
      return false;
    }
    if (web.tls.enabled != options_.tls_enabled) {
      *error = "--web.config.file: turning TLS on or off needs a restart";
      return false;
    }
    if (options_.require_users && web.users.empty()) {
      *error =
          "--web.config.file: --web.enable-admin-api on a non-loopback "
          "address needs basic_auth_users";
      return false;
    }
    if (web.tls.enabled && !web::CheckTlsConfig(web.tls, &reason)) {
      *error = "--web.config.file: " + reason;
      return false;
    }
  }
  targets::TargetConfig targets;
  if (!targets::TargetConfigFromFlags(&targets, error)) return false;
  targets.cgroupfs_root = options_.cgroupfs_root;
  if (web.tls.enabled && server_ != nullptr) {
    std::string reason;
    if (!server_->ReloadTls(web.tls, &reason)) {
      *error = "--web.config.file: " + reason;
      return false;
    }
  }
  if (!options_.web_config_file.empty()) auth_->Apply(std::move(web));
  resolver_->Replace(targets::MakeResolver(
      std::move(targets), options_.procfs_root, options_.self_pid));
  return true;
}

Scraper::FixedSource Reloader::MetricsSource() {
  return [this](std::vector<prometheus::MetricFamily>* out) {
    bool ok;
    double when;
    {
      MutexLock lock(&mu_);
      ok = last_ok_;
      when = last_success_;
    }
    auto f = GaugeFamily("memwatch_exporter_config_last_reload_successful",
                         "Whether the last configuration reload (SIGHUP or "
                         "POST /-/reload) succeeded.");
    AddGauge(&f, ok ? 1 : 0);
    out->push_back(std::move(f));
    auto t = GaugeFamily(
        "memwatch_exporter_config_last_reload_success_timestamp_seconds",
        "Timestamp of the last successful configuration reload (or of the "
        "start).");
    AddGauge(&t, when);
    out->push_back(std::move(t));
  };
}

}  // namespace memwatch
