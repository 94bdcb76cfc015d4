// The lookup API (usage parity):
//   GET    /api/v1/usage?pid=N[&keepHistory=true]   -> usage JSON (usage.h)
//   DELETE /api/v1/usage/history[?pid=N]            -> {"cleared": n}
// and the same lookup for the `lookup` subcommand.
#pragma once

#include <string>
#include <vector>

#include "collectors/plugin/http.h"
#include "collectors/process/usage.h"
#include "collectors/procfs/procfs.h"

namespace memwatch::process {

class UsageApi {
 public:
  UsageApi(std::string procfs_root, procfs::SystemParams params);

  // 200 + usage JSON; 404 + {"error": "no process with pid N"}; 500 when
  // /proc itself cannot be read.
  HttpResponse Lookup(int pid, bool keep_history);

  HttpResponse HandleGet(const HttpRequest& request);
  HttpResponse HandleDeleteHistory(const HttpRequest& request);
  std::vector<HttpRoute> Routes();

 private:
  procfs::ProcFs fs_;
  UsageTracker tracker_;
};

// A pid query parameter: decimal, 1..2^22 (the kernel's pid_max limit).
bool ParsePidParam(const std::string& text, int* pid);

}  // namespace memwatch::process
