// `memwatch_exporter lookup --pid N [--path.procfs DIR]`: prints the usage
// JSON of one process once (usage.lookup for scripts) and exits.
#include "collectors/process/lookup_command.h"

#include <iostream>
#include <string>
#include <vector>

#include "collectors/plugin/registry.h"
#include "collectors/process/usage_api.h"

namespace memwatch::process {
namespace {

// "--name VALUE" or "--name=VALUE" at args[*i]; advances *i past it.
bool TakeFlag(const std::vector<std::string>& args, size_t* i,
              const std::string& name, std::string* value) {
  const std::string& a = args[*i];
  if (a == name && *i + 1 < args.size()) {
    *value = args[++*i];
    return true;
  }
  if (a.compare(0, name.size() + 1, name + "=") == 0) {
    *value = a.substr(name.size() + 1);
    return true;
  }
  return false;
}

}  // namespace

int RunLookup(const std::vector<std::string>& args,
              const std::string& procfs_root,
              const procfs::SystemParams& params, std::ostream& out,
              std::ostream& err) {
  std::string pid_text, root = procfs_root;
  for (size_t i = 0; i < args.size(); ++i) {
    if (TakeFlag(args, &i, "--pid", &pid_text) ||
        TakeFlag(args, &i, "--path.procfs", &root)) {
      continue;
    }
    err << "lookup: unknown argument \"" << args[i]
        << "\"; usage: lookup --pid N [--path.procfs DIR]\n";
    return 2;
  }
  int pid = 0;
  if (!ParsePidParam(pid_text, &pid)) {
    err << "lookup: --pid needs one pid, got \"" << pid_text << "\"\n";
    return 2;
  }
  if (root.empty()) {
    err << "lookup: --path.procfs is not set\n";
    return 2;
  }
  // Lookup() applies no policy: the command runs with the caller's rights.
  UsageApi api(root, params, UsageApi::PidPolicy());
  HttpResponse r = api.Lookup(pid, /*keep_history=*/false);
  if (r.status != 200) {
    err << "lookup: " << r.body << "\n";
    return 1;
  }
  out << r.body << "\n";
  return 0;
}

namespace {
const CommandRegistrar kLookupCommand(CommandInfo{
    "lookup", "lookup --pid N [--path.procfs DIR]",
    "Print CPU and memory usage of one process as JSON (like usage.lookup) "
    "and exit; 1 if there is no such process.",
    [](const CommandContext& ctx, const std::vector<std::string>& args) {
      return RunLookup(args, ctx.procfs_root,
                       procfs::SystemParams::FromSysconf(), std::cout,
                       std::cerr);
    }});
}  // namespace

}  // namespace memwatch::process
