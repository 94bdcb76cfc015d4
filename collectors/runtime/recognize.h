// Which runtime a process runs, recognised from outside: the executable's name,
// the libraries it maps, and (for Go, whose binaries are static and named
// anything) the ELF sections of its executable. The memwatch collector picks a
// target's source from it: a JVM is judged by its perf data, never by the fast
// RSS rule (a JVM's RSS climbs for minutes with no leak).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace memwatch::runtime {

enum class Runtime { kUnknown, kJvm, kNode, kGo, kPython, kNative };

// "jvm", "node", "go", "python", "native", "unknown": the value of the
// `runtime` label.
const char* RuntimeName(Runtime r);

// From the executable's base name alone ("java", "node", "python3.11"...);
// kUnknown when the name says nothing.
Runtime RuntimeFromExeName(std::string_view basename);

// From /proc/<pid>/maps text: a mapped libjvm.so, libnode.so or libpython.
// kUnknown when none is mapped.
Runtime RuntimeFromMaps(std::string_view maps);

// Reads `size` bytes at `offset` of a file into *out; false if it cannot.
using ReadAt =
    std::function<bool(uint64_t offset, size_t size, std::string* out)>;

// True if the ELF64 little-endian file behind `read` has a Go section
// (.go.buildinfo, .gopclntab or .note.go.buildid). Reads the header, the
// section table (at most 1024 entries) and the section names (at most
// 64 KiB); false on anything malformed.
bool ElfIsGo(const ReadAt& read);

// Reads what it needs under procfs_root/<pid>/ (exe link, maps, the executable
// itself through the exe link), each read bounded. kUnknown when nothing can be
// read (another user's process without CAP_SYS_PTRACE), kNative for a
// readable ELF that is none of the above.
Runtime RecognizeRuntime(const std::string& procfs_root, int pid);

}  // namespace memwatch::runtime
