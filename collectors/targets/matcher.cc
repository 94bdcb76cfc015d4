#include "collectors/targets/matcher.h"

#include <re2/re2.h>

#include "collectors/procfs/files.h"

namespace memwatch::targets::internal {
namespace {

// The kernel keeps 15 characters of comm (TASK_COMM_LEN - 1), but shows
// kernel workers longer ("kworker/0:1-events"): accept either form.
constexpr size_t kCommLen = 15;

}  // namespace

const std::string& ExeOf(const procfs::ProcFs& fs, int pid,
                         CachedIdentity* id) {
  if (!id->exe) {
    std::string link;
    id->exe = fs.ReadLink(std::to_string(pid) + "/exe", &link, nullptr)
                  ? procfs::CleanExePath(link)
                  : "";
  }
  return *id->exe;
}

bool Matches(const procfs::ProcFs& fs, const TargetSpec& spec, int pid,
             CachedIdentity* id) {
  if (spec.comm && *spec.comm != id->comm &&
      spec.comm->substr(0, kCommLen) != id->comm) {
    return false;
  }
  if (spec.exe) {
    const std::string& exe = ExeOf(fs, pid, id);
    if (exe.empty() || exe != *spec.exe) return false;
  }
  if (spec.cmdline) {
    if (!id->cmdline) {
      std::string raw, joined;
      if (fs.ReadFile(std::to_string(pid) + "/cmdline", &raw, nullptr)) {
        // Only the head is matched (config.h): cutting before joining keeps
        // a megabyte argv from costing more than the cap.
        if (raw.size() > kMaxMatchedCmdlineBytes) {
          raw.resize(kMaxMatchedCmdlineBytes);
        }
        for (const std::string& arg : procfs::ParseCmdline(raw)) {
          if (!joined.empty()) joined += ' ';
          joined += arg;
        }
        if (joined.size() > kMaxMatchedCmdlineBytes) {
          joined.resize(kMaxMatchedCmdlineBytes);
        }
      }
      id->cmdline = joined;
    }
    if (id->cmdline->empty() || !spec.cmdline_re ||
        !RE2::PartialMatch(*id->cmdline, *spec.cmdline_re)) {
      return false;
    }
  }
  return true;
}

}  // namespace memwatch::targets::internal
