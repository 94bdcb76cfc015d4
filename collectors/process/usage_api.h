// The lookup API (usage parity):
//   GET    /api/v1/usage?pid=N[&keepHistory=true]   -> usage JSON (usage.h)
//   DELETE /api/v1/usage/history[?pid=N]            -> {"cleared": n}
// and the same lookup for the `lookup` subcommand.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/plugin/http.h"
#include "collectors/process/usage.h"
#include "collectors/procfs/procfs.h"
#include "collectors/targets/resolver.h"

namespace memwatch::process {

class UsageApi {
 public:
  // Which pids GET /api/v1/usage answers for; an empty function allows all.
  using PidPolicy = std::function<bool(int pid)>;

  // `allowed` decides which pids GET answers for (UsagePidPolicy below).
  UsageApi(std::string procfs_root, procfs::SystemParams params,
           PidPolicy allowed);

  // No policy check (the `lookup` subcommand runs with the caller's rights).
  // 200 + usage JSON; 404 + {"error": "no process with pid N"}; 500 when
  // /proc itself cannot be read.
  HttpResponse Lookup(int pid, bool keep_history);

  // 403 for a pid the policy refuses (whether or not it exists, so the API
  // does not reveal which pids exist).
  HttpResponse HandleGet(const HttpRequest& request);
  HttpResponse HandleDeleteHistory(const HttpRequest& request);
  // The DELETE route is marked state_changing.
  std::vector<HttpRoute> Routes();

 private:
  procfs::ProcFs fs_;
  PidPolicy allowed_;
  UsageTracker tracker_;
};

// Any pid with `any_pid` (--api.usage-any-pid), else only the pids
// `resolver` finds now.
UsageApi::PidPolicy UsagePidPolicy(std::shared_ptr<targets::Resolver> resolver,
                                   bool any_pid = false);

// A pid query parameter: decimal, 1..2^22 (the kernel's pid_max limit).
bool ParsePidParam(const std::string& text, int* pid);

}  // namespace memwatch::process
