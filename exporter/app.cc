#include "exporter/app.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "collectors/base/log.h"
#include "collectors/plugin/registry.h"
#include "collectors/targets/resolver.h"
#include "exporter/basic_auth.h"
#include "exporter/flag_checks.h"
#include "exporter/flags.h"
#include "exporter/http_server.h"
#include "exporter/landing_page.h"
#include "exporter/listen_address.h"
#include "exporter/reload.h"
#include "exporter/scraper.h"
#include "exporter/self_metrics.h"
#include "exporter/tls_context.h"
#include "exporter/version.h"
#include "exporter/web_config.h"

namespace memwatch {
namespace {

HttpResponse Text(int status, const std::string& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = body;
  return r;
}

// Builds and starts every enabled collector. On a configuration error stops the
// ones already started and returns false with the reason in *error.
bool StartCollectors(const CollectorContext& ctx,
                     std::vector<NamedCollector>* out, std::string* error) {
  CollectorRegistry& registry = CollectorRegistry::Global();
  for (const std::string& name : registry.EnabledNames()) {
    auto collector = registry.Find(name)->factory(ctx);
    std::string err;
    if (!collector->Start(&err)) {
      for (auto& nc : *out) nc.collector->Stop();
      out->clear();
      *error = "collector " + name + ": " + err;
      return false;
    }
    out->push_back({name, std::move(collector)});
  }
  return true;
}

// Blocks until SIGTERM or SIGINT, reloading on every SIGHUP meanwhile; they
// are blocked in every thread (main blocks them before any thread starts), so
// sigwait here is the only place they arrive.
int WaitForStopSignal(Reloader* reloader) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGHUP) return sig;
    LogInfo("reloading", {{"signal", "SIGHUP"}});
    std::string err;
    reloader->Reload(&err);  // logs the outcome
  }
}

// The listeners: systemd's sockets, or every --web.listen-address.
bool Listeners(std::vector<ListenSpec>* out, std::string* error) {
  std::string reason;
  if (FLAGS_web_systemd_socket) {
    if (!SystemdListenSockets(out, error)) return false;
    if (!gflags::GetCommandLineFlagInfoOrDie("web_listen_address").is_default) {
      LogWarn("--web.systemd-socket given: --web.listen-address is ignored");
    }
    return true;
  }
  if (!ResolveListenAddresses(FLAGS_web_listen_address, out, &reason)) {
    *error = "invalid --web.listen-address: " + reason;
    return false;
  }
  return true;
}

// Prometheus' rule: the admin API beyond loopback only behind basic auth.
bool CheckAdminApi(const std::vector<ListenSpec>& listeners,
                   const web::WebConfig& web_config, std::string* error) {
  if (!FLAGS_web_enable_admin_api || !web_config.users.empty()) return true;
  for (const ListenSpec& spec : listeners) {
    if (!IsLoopback(spec)) {
      *error = "--web.enable-admin-api: " + spec.address +
               " is not a loopback address and --web.config.file has no "
               "basic_auth_users; state-changing routes (POST "
               "/api/v1/heapdiff, POST /-/reload, ...) would be open to the "
               "network";
      return false;
    }
  }
  return true;
}

// The exporter's own flags and the web config file: false with the reason to
// exit 2 in *error.
bool CheckStartup(std::vector<ListenSpec>* listeners,
                  web::WebConfig* web_config, std::string* error) {
  std::string reason;
  if (!Listeners(listeners, error)) return false;
  if (!CheckExporterFlags(error)) return false;
  if (FLAGS_web_max_requests < 0) {
    *error = "invalid --web.max-requests: must be 0 (no limit) or more";
    return false;
  }
  if (!FLAGS_web_config_file.empty() &&
      (!web::LoadWebConfig(FLAGS_web_config_file, web_config, &reason) ||
       (web_config->tls.enabled &&
        !web::CheckTlsConfig(web_config->tls, &reason)))) {
    *error = "invalid --web.config.file: " + reason;
    return false;
  }
  return CheckAdminApi(*listeners, *web_config, error);
}

// The exporter's routes (metrics, probes, landing page) and every
// collector's: false with the reason to exit 2 (two handlers for one path)
// in *error.
bool BuildRoutes(std::vector<NamedCollector>* collectors, Scraper* scraper,
                 Reloader* reloader, const std::atomic<bool>* ready,
                 std::vector<HttpRoute>* routes, std::string* error) {
  routes->push_back(
      {FLAGS_web_telemetry_path, {"GET"}, [scraper](const HttpRequest&) {
         HttpResponse r;
         r.content_type = "text/plain; version=0.0.4; charset=utf-8";
         r.body = scraper->ScrapeText();
         return r;
       }});
  // Health probes stay open under basic auth (docs/web-config.md).
  routes->push_back({"/-/healthy",
                     {"GET"},
                     [](const HttpRequest&) { return Text(200, "Healthy\n"); },
                     /*open_without_auth=*/true});
  routes->push_back({"/-/ready",
                     {"GET"},
                     [ready](const HttpRequest&) {
                       return *ready ? Text(200, "Ready\n")
                                     : Text(503, "Not ready\n");
                     },
                     /*open_without_auth=*/true});
  HttpRoute reload{
      "/-/reload", {"POST"}, [reloader](const HttpRequest&) {
        std::string err;
        return reloader->Reload(&err)
                   ? Text(200, "")
                   : Text(500, "failed to reload config: " + err + "\n");
      }};
  reload.state_changing = true;
  routes->push_back(std::move(reload));
  LandingPageInfo page{kVersion, kRevision, FLAGS_web_telemetry_path, {}, {}};
  std::set<std::string> taken;
  for (const auto& r : *routes) taken.insert(r.path);
  for (auto& nc : *collectors) {
    page.collectors.push_back(nc.name);
    for (auto& route : nc.collector->Routes()) {
      if (!taken.insert(route.path).second) {
        *error = "two handlers for path " + route.path + " (collector " +
                 nc.name + ")";
        return false;
      }
      // Routes that do not exist without --web.enable-admin-api: not listed.
      if (!route.state_changing || FLAGS_web_enable_admin_api) {
        page.api_paths.push_back(route.path);
      }
      routes->push_back(std::move(route));
    }
  }
  std::string html = LandingPage(page);
  routes->push_back({"/", {"GET"}, [html](const HttpRequest&) {
                       HttpResponse r;
                       r.content_type = "text/html; charset=utf-8";
                       r.body = html;
                       return r;
                     }});
  return true;
}

// "127.0.0.1:9747,[::1]:9747" for the log.
std::string Join(const std::vector<std::string>& addresses) {
  std::string out;
  for (const std::string& a : addresses) out += (out.empty() ? "" : ",") + a;
  return out;
}

}  // namespace

int RunExporter() {
  std::vector<ListenSpec> listeners;
  web::WebConfig web_config;
  if (std::string err; !CheckStartup(&listeners, &web_config, &err)) {
    LogError("configuration error", {{"err", err}});
    return 2;
  }
  web::Authenticator authenticator(FLAGS_web_config_file, web_config);
  ReloadOptions reload_options;
  reload_options.web_config_file = FLAGS_web_config_file;
  reload_options.tls_enabled = web_config.tls.enabled;
  for (const ListenSpec& spec : listeners) {
    reload_options.require_users |=
        FLAGS_web_enable_admin_api && !IsLoopback(spec);
  }
  if (reload_options.require_users) authenticator.RequireUsers();
  reload_options.procfs_root = FLAGS_path_procfs;
  reload_options.cgroupfs_root = FLAGS_path_cgroupfs;
  reload_options.self_pid = getpid();

  // Target flags are shared by every collector: parsed once here, and refused
  // even if the collectors that read them are disabled.
  targets::TargetConfig target_config;
  if (std::string target_err;
      !targets::TargetConfigFromFlags(&target_config, &target_err)) {
    LogError("configuration error", {{"err", target_err}});
    return 2;
  }

  target_config.cgroupfs_root = FLAGS_path_cgroupfs;
  CollectorContext ctx;
  ctx.read_threads = target_config.read_threads;
  ctx.procfs_root = FLAGS_path_procfs;
  ctx.cgroupfs_root = FLAGS_path_cgroupfs;
  auto resolver = std::make_shared<ReloadableResolver>(targets::MakeResolver(
      std::move(target_config), FLAGS_path_procfs, getpid()));
  ctx.resolver = resolver;
  ctx.facts = std::make_shared<TargetFacts>();
  Reloader reloader(reload_options, &authenticator, resolver.get());
  std::vector<NamedCollector> collectors;
  std::string err;
  if (!StartCollectors(ctx, &collectors, &err)) {
    LogError("configuration error", {{"err", err}});
    return 2;
  }

  std::vector<Scraper::FixedSource> fixed = {TargetMetricsSource(ctx),
                                             reloader.MetricsSource()};
  // node_exporter's switch: the exporter's own process_* and build info.
  if (!FLAGS_web_disable_exporter_metrics) {
    fixed.push_back(BuildInfoSource());
    fixed.push_back(SelfMetricsSource(ctx));
  }
  Scraper scraper(&collectors, std::move(fixed));
  std::atomic<bool> ready{false};
  std::vector<HttpRoute> routes;
  if (!BuildRoutes(&collectors, &scraper, &reloader, &ready, &routes, &err)) {
    LogError("configuration error", {{"err", err}});
    for (auto& nc : collectors) nc.collector->Stop();
    return 2;
  }

  HttpServer server(std::move(routes));
  HttpServerOptions server_options;
  server_options.listeners = listeners;
  server_options.threads = FLAGS_web_max_threads;
  server_options.max_requests = FLAGS_web_max_requests;
  server_options.tls = web_config.tls;
  server_options.auth = &authenticator;
  server_options.admin_api = FLAGS_web_enable_admin_api;
  if (!server.Start(server_options, &err)) {
    LogError("cannot listen", {{"err", err}});
    for (auto& nc : collectors) nc.collector->Stop();
    return 1;
  }
  reloader.SetServer(&server);
  ready = true;
  std::string enabled;
  for (auto& nc : collectors) enabled += (enabled.empty() ? "" : ",") + nc.name;
  LogInfo("listening",
          {{"address", Join(server.BoundAddresses())},
           {"tls", web_config.tls.enabled ? "true" : "false"},
           {"basic_auth", web_config.users.empty() ? "false" : "true"},
           {"admin_api", FLAGS_web_enable_admin_api ? "true" : "false"},
           {"telemetry_path", FLAGS_web_telemetry_path},
           {"collectors", enabled},
           {"version", kVersion},
           {"revision", kRevision}});

  int sig = WaitForStopSignal(&reloader);
  LogInfo("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  ready = false;
  server.Stop();  // in-flight scrapes finish before this returns
  reloader.SetServer(nullptr);
  for (auto& nc : collectors) nc.collector->Stop();
  LogInfo("stopped");
  return 0;
}

}  // namespace memwatch
