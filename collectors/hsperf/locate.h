// Finding and reading a JVM's perf data file from outside the JVM (I/O).
//
// HotSpot writes <its /tmp>/hsperfdata_<user>/<pid>, <pid> being its pid IN
// ITS OWN pid namespace (last field of "NSpid:" in /proc/<pid>/status). We
// reach its /tmp through <procfs>/<pid>/root, which works for a JVM in a
// container seen from the host or from a sidecar sharing the pod's pid
// namespace. Every path component under root/ is opened with O_NOFOLLOW: a
// symlink planted by the application would otherwise resolve against OUR root.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace memwatch::hsperf {

// A JVM's file is 32 KiB; larger files are refused.
inline constexpr size_t kMaxPerfFileBytes = 1 << 20;

enum class LocateStatus {
  kOk,
  kNoProcess,         // <procfs>/<pid> does not exist
  kNotFound,          // no hsperfdata file: -XX:-UsePerfData, or not HotSpot
  kPermissionDenied,  // mode 0600: same uid or CAP_DAC_READ_SEARCH needed
  kError,             // anything else (too big, not a regular file, ...)
};
const char* LocateStatusName(LocateStatus s);

// The pid in the innermost pid namespace from /proc/<pid>/status text (the
// last field of "NSpid:"); 0 when the line is absent or malformed.
int ParseNsPid(const std::string& status_text);

// -Djava.io.tmpdir=DIR from a NUL-separated cmdline, "" if absent. (HotSpot on
// Linux always uses /tmp for perf data, checked on JDK 17; DIR is only tried
// second.)
std::string TmpDirFromCmdline(const std::string& cmdline);

struct PerfFileLocation {
  std::string root;  // "<procfs>/<pid>/root"
  // Directories relative to root, e.g. {"tmp", "hsperfdata_app"}.
  std::vector<std::string> dirs;
  std::string file;  // "<nspid>"
  std::string Path() const;
};

// Looks for the file of `pid`: lists <root>/tmp/hsperfdata_* (and the
// cmdline's java.io.tmpdir) for one containing <nspid>.
LocateStatus LocatePerfData(const std::string& procfs_root, int pid,
                            PerfFileLocation* out, std::string* error);

// Reads the file (regular file only, no symlink anywhere under root, at most
// kMaxPerfFileBytes).
LocateStatus ReadPerfFile(const PerfFileLocation& loc, std::string* bytes,
                          std::string* error);

// Cheap: exe basename "java", or "libjvm.so" in /proc/<pid>/maps (first
// 4 MiB only), or, when those are not readable, argv[0] basename "java".
bool LooksLikeJvm(const std::string& procfs_root, int pid);

// OpenJ9 (Eclipse Semeru, IBM): its VM library libj9vm<N>.so is mapped. It
// publishes no HotSpot perf data at all (no hsperfdata file, whatever the
// flags). Pure, on /proc/<pid>/maps text.
bool MapsShowOpenJ9(std::string_view maps);
// Reads the maps (bounded); false when unreadable.
bool LooksLikeOpenJ9(const std::string& procfs_root, int pid);

}  // namespace memwatch::hsperf
