#include "collectors/process/usage_api.h"

#include <cerrno>
#include <nlohmann/json.hpp>

#include "collectors/procfs/files.h"
#include "collectors/procfs/stat.h"
#include "collectors/targets/resolver.h"

namespace memwatch::process {
namespace {

// Rejects parameters the endpoint does not know, so a typo such as
// "keephistory" is an error rather than silently ignored.
bool OnlyKnownParams(const HttpRequest& r,
                     std::initializer_list<const char*> known,
                     std::string* unknown) {
  for (const auto& kv : r.query) {
    bool ok = false;
    for (const char* k : known) ok = ok || kv.first == k;
    if (!ok) {
      *unknown = kv.first;
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParsePidParam(const std::string& text, int* pid) {
  auto parsed = procfs::ParsePid(text);
  if (parsed) *pid = *parsed;
  return parsed.has_value();
}

namespace {

bool IsWatched(targets::Resolver* resolver, int pid) {
  for (const targets::Target& t : resolver->Resolve()) {
    for (const targets::ProcessRef& p : t.processes) {
      if (p.pid == pid) return true;
    }
  }
  return false;
}

}  // namespace

UsageApi::PidPolicy UsagePidPolicy(std::shared_ptr<targets::Resolver> resolver,
                                   bool any_pid) {
  if (any_pid) return UsageApi::PidPolicy();
  return [resolver = std::move(resolver)](int pid) {
    return IsWatched(resolver.get(), pid);
  };
}

UsageApi::UsageApi(std::string procfs_root, procfs::SystemParams params,
                   PidPolicy allowed)
    : fs_(std::move(procfs_root)),
      allowed_(std::move(allowed)),
      tracker_(params) {}

HttpResponse UsageApi::Lookup(int pid, bool keep_history) {
  std::string text, error;
  int err = 0;
  if (!fs_.ReadFile(std::to_string(pid) + "/stat", &text, &error, &err)) {
    if (err == ENOENT || err == ESRCH) {
      return JsonError(404, "no process with pid " + std::to_string(pid));
    }
    return JsonError(500, error);
  }
  auto stat = procfs::ParseStat(text, &error);
  std::string uptime_text;
  if (!stat) {
    // A stat cut short is a process exiting under us.
    return JsonError(
        404, "no process with pid " + std::to_string(pid) + " (" + error + ")");
  }
  if (!fs_.ReadFile("uptime", &uptime_text, &error)) {
    return JsonError(500, error);
  }
  auto uptime = procfs::ParseUptime(uptime_text, &error);
  if (!uptime) return JsonError(500, error);
  HttpResponse r;
  r.body = UsageToJson(pid, tracker_.Lookup(*stat, *uptime, keep_history));
  return r;
}

HttpResponse UsageApi::HandleGet(const HttpRequest& request) {
  std::string unknown;
  if (!OnlyKnownParams(request, {"pid", "keepHistory"}, &unknown)) {
    return JsonError(
        400, "unknown parameter \"" + unknown + "\" (pid, keepHistory)");
  }
  auto it = request.query.find("pid");
  if (it == request.query.end()) {
    return JsonError(400, "missing parameter pid");
  }
  int pid = 0;
  if (!ParsePidParam(it->second, &pid)) {
    return JsonError(400, "bad pid \"" + it->second + "\"");
  }
  if (allowed_ && !allowed_(pid)) {
    return JsonError(403, "pid " + std::to_string(pid) +
                              " is not a process of a watched target (start "
                              "the exporter with --api.usage-any-pid to look "
                              "up any process)");
  }
  bool keep = false;
  auto kh = request.query.find("keepHistory");
  if (kh != request.query.end()) {
    if (kh->second == "true" || kh->second == "1") {
      keep = true;
    } else if (kh->second != "false" && kh->second != "0") {
      return JsonError(
          400, "bad keepHistory \"" + kh->second + "\" (true or false)");
    }
  }
  return Lookup(pid, keep);
}

HttpResponse UsageApi::HandleDeleteHistory(const HttpRequest& request) {
  std::string unknown;
  if (!OnlyKnownParams(request, {"pid"}, &unknown)) {
    return JsonError(400, "unknown parameter \"" + unknown + "\" (pid)");
  }
  std::optional<int> pid;
  auto it = request.query.find("pid");
  if (it != request.query.end()) {
    int p = 0;
    if (!ParsePidParam(it->second, &p)) {
      return JsonError(400, "bad pid \"" + it->second + "\"");
    }
    pid = p;
  }
  HttpResponse r;
  r.body = nlohmann::json{{"cleared", tracker_.ClearHistory(pid)}}.dump();
  return r;
}

std::vector<HttpRoute> UsageApi::Routes() {
  return {
      {"/api/v1/usage",
       {"GET"},
       [this](const HttpRequest& r) { return HandleGet(r); }},
      {"/api/v1/usage/history",
       {"DELETE"},
       [this](const HttpRequest& r) { return HandleDeleteHistory(r); },
       /*open_without_auth=*/false,
       /*state_changing=*/true},
  };
}

}  // namespace memwatch::process
