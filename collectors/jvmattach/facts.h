// What the attach needs to know about a process before it touches it, from
// the text of its /proc files and perf data. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::jvmattach {

struct StatusFacts {
  int nspid = 0;      // pid in its innermost pid namespace (last of NSpid)
  uint32_t euid = 0;  // effective ids: what HotSpot's listener compares
  uint32_t egid = 0;
  // SIGQUIT is in SigCgt: the process has a handler. A process without one
  // dies (and dumps core) on SIGQUIT, so it is never sent one.
  bool catches_sigquit = false;
};

// From /proc/<pid>/status text: Uid and Gid (second field), NSpid (the
// process's own pid when the kernel has no NSpid line), SigCgt. nullopt and
// why when Uid, Gid or SigCgt is missing or malformed.
std::optional<StatusFacts> ParseStatusFacts(std::string_view status, int pid,
                                            std::string* error);

enum class JvmFlavor {
  kUnknown,  // nothing readable says
  kNone,     // readable, and not a JVM
  kHotSpot,  // libjvm.so mapped (or HotSpot perf data)
  kOpenJ9,   // libj9vm*.so mapped: OpenJ9 has its own attach API
};

// From /proc/<pid>/maps text. OpenJ9 also maps a libjvm.so (a shim), so
// libj9vm wins.
JvmFlavor FlavorFromMaps(std::string_view maps);

// The JVM options of a NUL-separated command line: the arguments after argv[0]
// up to the main class, `-jar` or `-m` (what follows is the application's),
// skipping the values of -cp/-classpath/--class-path/-p/--module-path.
std::vector<std::string> JvmOptionsFromCmdline(std::string_view cmdline);

// Words of a space-separated option string: perf data's java.rt.vmArgs, or
// JAVA_TOOL_OPTIONS-like variables.
std::vector<std::string> SplitOptions(std::string_view options);

// The words of one variable ("JAVA_TOOL_OPTIONS") of a NUL-separated environ;
// empty when it is not set.
std::vector<std::string> OptionsOfVariable(std::string_view environ,
                                           std::string_view name);

// Every option the JVM was given, in the order it reads them (the last of a
// flag wins): JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS (the launcher's, before the
// command line's), the command line's JVM options, _JAVA_OPTIONS.
std::vector<std::string> AllJvmOptions(std::string_view cmdline,
                                       std::string_view environ);

// true/false when the last -XX:[+-]DisableAttachMechanism among `options`
// says so, nullopt when none does.
std::optional<bool> DisableAttachIn(const std::vector<std::string>& options);

// perf data's sun.rt.jvmCapabilities: its first character is '1' when the JVM
// supports attach (HotSpot writes '0' under -XX:+DisableAttachMechanism).
// nullopt for an empty or malformed string.
std::optional<bool> AttachCapability(std::string_view capabilities);

}  // namespace memwatch::jvmattach
