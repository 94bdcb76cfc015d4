#include "collectors/jvmattach/target.h"

#include <cerrno>

#include "collectors/base/read.h"
#include "collectors/hsperf/locate.h"
#include "collectors/hsperf/perfdata.h"

namespace memwatch::jvmattach {
namespace {

constexpr size_t kMaxMapsBytes = size_t{16} << 20;
constexpr size_t kMaxEnvironBytes = size_t{1} << 20;
constexpr size_t kMaxCmdlineBytes = size_t{256} << 10;

std::string PidText(int pid) { return "pid " + std::to_string(pid); }

// The perf data of a HotSpot JVM, when it can be read.
std::optional<hsperf::PerfData> ReadPerfData(const std::string& procfs_root,
                                             int pid) {
  hsperf::PerfFileLocation loc;
  std::string bytes;
  if (hsperf::LocatePerfData(procfs_root, pid, &loc, nullptr) !=
          hsperf::LocateStatus::kOk ||
      hsperf::ReadPerfFile(loc, &bytes, nullptr) != hsperf::LocateStatus::kOk) {
    return std::nullopt;
  }
  return hsperf::ParsePerfData(bytes, nullptr);
}

// Whether the JVM's options disable attach, when perf data cannot say.
void FlagsFromOptions(const std::string& base, Target* out) {
  std::string cmdline, environ;
  bool have_cmdline =
      ReadFile(base + "/cmdline", &cmdline, nullptr, nullptr, kMaxCmdlineBytes);
  bool have_environ =
      ReadFile(base + "/environ", &environ, nullptr, nullptr, kMaxEnvironBytes);
  if (!have_cmdline && !have_environ) return;
  auto disabled = DisableAttachIn(AllJvmOptions(cmdline, environ));
  if (disabled) {
    out->attach_disabled = *disabled;
    out->disabled_by = "its options";
  }
}

}  // namespace

bool InspectTarget(const std::string& procfs_root, int pid, Target* out,
                   AttachError* error) {
  const std::string base = procfs_root + "/" + std::to_string(pid);
  *out = Target();
  out->pid = pid;
  std::string text, err;
  int errno_value = 0;
  if (!ReadFile(base + "/status", &text, &err, &errno_value,
                size_t{64} * 1024)) {
    if (errno_value == ENOENT || errno_value == ESRCH) {
      return SetError(error, ErrorKind::kNoProcess,
                      PidText(pid) + ": no such process");
    }
    return SetError(error, ErrorKind::kInternal, PidText(pid) + ": " + err);
  }
  auto facts = ParseStatusFacts(text, pid, &err);
  if (!facts) {
    return SetError(error, ErrorKind::kInternal, PidText(pid) + ": " + err);
  }
  out->status = *facts;
  if (ReadFile(base + "/maps", &text, nullptr, nullptr, kMaxMapsBytes)) {
    out->flavor = FlavorFromMaps(text);
  }
  if (auto perf = ReadPerfData(procfs_root, pid)) {
    // Only HotSpot writes perf data.
    if (out->flavor == JvmFlavor::kUnknown) out->flavor = JvmFlavor::kHotSpot;
    if (auto supported = AttachCapability(
            perf->String("sun.rt.jvmCapabilities").value_or(std::string()))) {
      out->attach_disabled = !*supported;
      out->disabled_by = "its perf data";
      return true;
    }
  }
  FlagsFromOptions(base, out);
  return true;
}

AttachError RefusalOf(const Target& t) {
  AttachError e;
  const std::string pid = PidText(t.pid);
  if (t.flavor == JvmFlavor::kNone) {
    SetError(&e, ErrorKind::kNotJvm,
             pid + " is not a JVM (no libjvm.so in its memory maps)");
  } else if (t.flavor == JvmFlavor::kOpenJ9) {
    SetError(&e, ErrorKind::kNotHotSpot,
             pid +
                 " is an OpenJ9 JVM: it has its own attach API, not "
                 "HotSpot's, which this exporter does not speak");
  } else if (t.attach_disabled.value_or(false)) {
    SetError(&e, ErrorKind::kAttachDisabled,
             pid +
                 ": the JVM was started with -XX:+DisableAttachMechanism "
                 "(read from " +
                 t.disabled_by + ")");
  }
  return e;
}

}  // namespace memwatch::jvmattach
