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

// Blocks until SIGTERM or SIGINT; they are blocked in every thread (main blocks
// them before any thread starts), so sigwait here is the only place they
// arrive.
int WaitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

// The exporter's own flags and the web config file: false with the reason to
// exit 2 in *error.
bool CheckStartup(std::string* ports, web::WebConfig* web_config,
                  std::string* error) {
  std::string reason;
  if (!ToCivetListeningPort(FLAGS_web_listen_address, ports, &reason)) {
    *error = "invalid --web.listen-address: " + reason;
    return false;
  }
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
  return true;
}

// The exporter's routes (metrics, probes, landing page) and every
// collector's: false with the reason to exit 2 (two handlers for one path)
// in *error.
bool BuildRoutes(std::vector<NamedCollector>* collectors, Scraper* scraper,
                 const std::atomic<bool>* ready, std::vector<HttpRoute>* routes,
                 std::string* error) {
  routes->push_back(
      {FLAGS_web_telemetry_path, {"GET"}, [scraper](const HttpRequest&) {
         HttpResponse r;
         r.content_type = "text/plain; version=0.0.4; charset=utf-8";
         r.body = SerializeText(scraper->Scrape());
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
      page.api_paths.push_back(route.path);
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

}  // namespace

int RunExporter() {
  std::string ports;
  web::WebConfig web_config;
  if (std::string err; !CheckStartup(&ports, &web_config, &err)) {
    LogError("configuration error", {{"err", err}});
    return 2;
  }
  web::Authenticator authenticator(FLAGS_web_config_file, web_config);

  // Target flags are shared by every collector: parsed once here, and refused
  // even if the collectors that read them are disabled.
  targets::TargetConfig target_config;
  if (std::string target_err;
      !targets::TargetConfigFromFlags(&target_config, &target_err)) {
    LogError("configuration error", {{"err", target_err}});
    return 2;
  }

  CollectorContext ctx;
  ctx.procfs_root = FLAGS_path_procfs;
  ctx.resolver = targets::MakeResolver(std::move(target_config),
                                       FLAGS_path_procfs, getpid());
  ctx.facts = std::make_shared<TargetFacts>();
  std::vector<NamedCollector> collectors;
  std::string err;
  if (!StartCollectors(ctx, &collectors, &err)) {
    LogError("configuration error", {{"err", err}});
    return 2;
  }

  Scraper scraper(&collectors, {BuildInfoSource(), SelfMetricsSource(ctx),
                                TargetMetricsSource(ctx)});
  std::atomic<bool> ready{false};
  std::vector<HttpRoute> routes;
  if (!BuildRoutes(&collectors, &scraper, &ready, &routes, &err)) {
    LogError("configuration error", {{"err", err}});
    for (auto& nc : collectors) nc.collector->Stop();
    return 2;
  }

  HttpServer server(std::move(routes));
  HttpServerOptions server_options;
  server_options.listening_ports = ports;
  server_options.threads = FLAGS_web_max_threads;
  server_options.max_requests = FLAGS_web_max_requests;
  server_options.tls = web_config.tls;
  server_options.auth = &authenticator;
  if (!server.Start(server_options, &err)) {
    std::string why = ExplainBindFailure(ports);
    LogError("cannot listen", {{"address", FLAGS_web_listen_address},
                               {"err", why.empty() ? err : err + ": " + why}});
    for (auto& nc : collectors) nc.collector->Stop();
    return 1;
  }
  ready = true;
  std::string enabled;
  for (auto& nc : collectors) enabled += (enabled.empty() ? "" : ",") + nc.name;
  LogInfo("listening",
          {{"address", FLAGS_web_listen_address},
           {"tls", web_config.tls.enabled ? "true" : "false"},
           {"basic_auth", web_config.users.empty() ? "false" : "true"},
           {"telemetry_path", FLAGS_web_telemetry_path},
           {"collectors", enabled},
           {"version", kVersion},
           {"revision", kRevision}});

  int sig = WaitForStopSignal();
  LogInfo("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  ready = false;
  server.Stop();  // in-flight scrapes finish before this returns
  for (auto& nc : collectors) nc.collector->Stop();
  LogInfo("stopped");
  return 0;
}

}  // namespace memwatch
