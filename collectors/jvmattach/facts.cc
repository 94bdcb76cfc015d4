#include "collectors/jvmattach/facts.h"

#include <cstdlib>

#include "collectors/base/split.h"

namespace memwatch::jvmattach {
namespace {

// The value of "Key:\t..." in status text, or nullopt.
std::optional<std::string_view> StatusValue(std::string_view text,
                                            std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ':') {
      return line.substr(key.size() + 1);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// A decimal id or pid of at most 10 digits that fits in 32 bits.
std::optional<uint32_t> Number(std::string_view w) {
  if (w.empty() || w.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// The second field of "Uid:"/"Gid:" (real, effective, saved, fs).
std::optional<uint32_t> Effective(std::string_view text, std::string_view key) {
  auto value = StatusValue(text, key);
  if (!value) return std::nullopt;
  auto words = Words(*value);
  if (words.size() < 2) return std::nullopt;
  return Number(words[1]);
}

// SIGQUIT's bit in a 64-bit hex signal mask.
std::optional<bool> HasSigquit(std::string_view text) {
  auto value = StatusValue(text, "SigCgt");
  if (!value) return std::nullopt;
  auto words = Words(*value);
  if (words.size() != 1 || words[0].empty() || words[0].size() > 16) {
    return std::nullopt;
  }
  uint64_t mask = 0;
  for (char c : words[0]) {
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return std::nullopt;
    mask = (mask << 4) | static_cast<uint64_t>(d);
  }
  constexpr int kSigquit = 3;
  return (mask >> (kSigquit - 1)) & 1;
}

// The NUL-separated strings of cmdline and environ.
std::vector<std::string_view> SplitNul(std::string_view s) {
  return SplitOn(s, '\0');
}

}  // namespace

std::optional<StatusFacts> ParseStatusFacts(std::string_view status, int pid,
                                            std::string* error) {
  StatusFacts facts;
  auto uid = Effective(status, "Uid");
  auto gid = Effective(status, "Gid");
  auto quit = HasSigquit(status);
  if (!uid || !gid || !quit) {
    if (error != nullptr) *error = "no Uid, Gid or SigCgt line in its status";
    return std::nullopt;
  }
  facts.euid = *uid;
  facts.egid = *gid;
  facts.catches_sigquit = *quit;
  facts.nspid = pid;  // kernels before 4.1 have no NSpid line
  if (auto value = StatusValue(status, "NSpid")) {
    auto words = Words(*value);
    auto last = words.empty() ? std::nullopt : Number(words.back());
    if (!last || *last == 0 || *last > 0x7fffffff) {
      if (error != nullptr) *error = "malformed NSpid line in its status";
      return std::nullopt;
    }
    facts.nspid = static_cast<int>(*last);
  }
  return facts;
}

JvmFlavor FlavorFromMaps(std::string_view maps) {
  if (maps.find("/libj9vm") != std::string_view::npos) {
    return JvmFlavor::kOpenJ9;
  }
  if (maps.find("/libjvm.so") != std::string_view::npos) {
    return JvmFlavor::kHotSpot;
  }
  return JvmFlavor::kNone;
}

std::vector<std::string> JvmOptionsFromCmdline(std::string_view cmdline) {
  std::vector<std::string> out;
  auto args = SplitNul(cmdline);
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-cp" || a == "-classpath" || a == "--class-path" || a == "-p" ||
        a == "--module-path") {
      ++i;
    } else if (a.empty() || a[0] != '-' || a == "-jar" || a == "-m" ||
               a == "--module") {
      break;
    } else {
      out.emplace_back(a);
    }
  }
  return out;
}

std::vector<std::string> SplitOptions(std::string_view options) {
  std::vector<std::string> out;
  for (std::string_view w : Words(options)) out.emplace_back(w);
  return out;
}

std::vector<std::string> OptionsOfVariable(std::string_view environ,
                                           std::string_view name) {
  std::vector<std::string> out;
  for (std::string_view v : SplitNul(environ)) {
    if (v.size() > name.size() && v.compare(0, name.size(), name) == 0 &&
        v[name.size()] == '=') {
      out = SplitOptions(v.substr(name.size() + 1));
    }
  }
  return out;
}

std::vector<std::string> AllJvmOptions(std::string_view cmdline,
                                       std::string_view environ) {
  std::vector<std::string> out;
  for (const char* name :
       {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "", "_JAVA_OPTIONS"}) {
    auto words = *name != '\0' ? OptionsOfVariable(environ, name)
                               : JvmOptionsFromCmdline(cmdline);
    out.insert(out.end(), words.begin(), words.end());
  }
  return out;
}

std::optional<bool> DisableAttachIn(const std::vector<std::string>& options) {
  std::optional<bool> last;
  for (const std::string& o : options) {
    if (o == "-XX:+DisableAttachMechanism") last = true;
    if (o == "-XX:-DisableAttachMechanism") last = false;
  }
  return last;
}

std::optional<bool> AttachCapability(std::string_view capabilities) {
  if (capabilities.empty()) return std::nullopt;
  if (capabilities[0] == '1') return true;
  if (capabilities[0] == '0') return false;
  return std::nullopt;
}

}  // namespace memwatch::jvmattach
