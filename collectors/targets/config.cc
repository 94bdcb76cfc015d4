#include "collectors/targets/config.h"

#include <cctype>
#include <cstdlib>

#include "collectors/procfs/files.h"
#include "collectors/targets/regex_check.h"

namespace memwatch::targets {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A piece of a flag value and where it starts in the value (for columns).
struct Piece {
  std::string text;
  size_t offset;
};

// Does `s` at `pos` (after optional blanks) start with "<word>="? Unknown
// words still cut, so a typo is reported as an unknown key instead of
// silently joining the previous value.
bool StartsWithKey(const std::string& s, size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  size_t start = pos;
  while (pos < s.size() &&
         (std::isalpha(static_cast<unsigned char>(s[pos])) || s[pos] == '_')) {
    ++pos;
  }
  return pos > start && pos < s.size() && s[pos] == '=';
}

// Splits at '\n' always and at `sep` only where "<word>=" follows, so a
// regex keeps its ',' and ';'.
std::vector<Piece> SplitBeforeKeys(const std::string& s, size_t base, char sep,
                                   bool newline_too) {
  std::vector<Piece> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    bool cut = i == s.size() || (newline_too && s[i] == '\n') ||
               (s[i] == sep && StartsWithKey(s, i + 1));
    if (!cut) continue;
    out.push_back({s.substr(start, i - start), base + start});
    start = i + 1;
  }
  return out;
}

// Splits a list flag at ',' and '\n', dropping blank items.
std::vector<Piece> SplitList(const std::string& value) {
  std::vector<Piece> out;
  size_t start = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && value[i] != ',' && value[i] != '\n') continue;
    std::string item = Trim(value.substr(start, i - start));
    if (!item.empty()) out.push_back({item, start});
    start = i + 1;
  }
  return out;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
         c == '.' || c == ':';
}

// "name=rest" where name is a plain word; otherwise the whole item is rest.
void SplitNamePrefix(const std::string& item, std::string* name,
                     std::string* rest) {
  size_t eq = item.find('=');
  if (eq != std::string::npos && eq > 0) {
    bool plain = true;
    for (size_t i = 0; i < eq; ++i) plain = plain && IsNameChar(item[i]);
    if (plain) {
      *name = item.substr(0, eq);
      *rest = item.substr(eq + 1);
      return;
    }
  }
  name->clear();
  *rest = item;
}

std::string PidfileDefaultName(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string ext = ".pid";
  if (base.size() > ext.size() &&
      base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
    base.resize(base.size() - ext.size());
  }
  return base;
}

}  // namespace

bool ParsePidFlag(const std::string& value, std::vector<TargetSpec>* out,
                  std::string* error) {
  for (const Piece& p : SplitList(value)) {
    std::string name, rest;
    SplitNamePrefix(p.text, &name, &rest);
    auto pid = procfs::ParsePid(Trim(rest));
    if (!pid) {
      *error = "--pid: \"" + p.text + "\" at column " +
               std::to_string(p.offset + 1) +
               " is not a pid (N or name=N, N > 0)";
      return false;
    }
    TargetSpec spec;
    spec.name = name.empty() ? "pid-" + std::to_string(*pid) : name;
    spec.pid = pid;
    out->push_back(std::move(spec));
  }
  return true;
}

bool ParsePidfileFlag(const std::string& value, std::vector<TargetSpec>* out,
                      std::string* error) {
  for (const Piece& p : SplitList(value)) {
    std::string name, rest;
    SplitNamePrefix(p.text, &name, &rest);
    rest = Trim(rest);
    if (name.empty()) name = PidfileDefaultName(rest);
    if (rest.empty() || name.empty()) {
      *error = "--pidfile: \"" + p.text + "\" at column " +
               std::to_string(p.offset + 1) + " has no file path";
      return false;
    }
    TargetSpec spec;
    spec.name = name;
    spec.pidfile = rest;
    out->push_back(std::move(spec));
  }
  return true;
}

bool ParseMatchFlag(const std::string& value, std::vector<TargetSpec>* out,
                    std::string* error) {
  int index = 0;
  for (const Piece& m : SplitBeforeKeys(value, 0, ';', true)) {
    if (Trim(m.text).empty()) continue;
    ++index;
    std::string where = "--match matcher " + std::to_string(index) + " (\"" +
                        Trim(m.text) + "\")";
    TargetSpec spec;
    bool has_name = false;
    for (const Piece& f : SplitBeforeKeys(m.text, m.offset, ',', false)) {
      std::string col = " at column " + std::to_string(f.offset + 1);
      size_t eq = f.text.find('=');
      if (eq == std::string::npos) {
        *error = where + col + ": expected key=value, got \"" + f.text + "\"";
        return false;
      }
      std::string key = Trim(f.text.substr(0, eq));
      std::string val = Trim(f.text.substr(eq + 1));
      std::optional<std::string>* slot = nullptr;
      if (key == "name") {
        if (has_name) {
          *error = where + col + ": name given twice";
          return false;
        }
        has_name = true;
        spec.name = val;
        continue;
      } else if (key == "comm") {
        slot = &spec.comm;
      } else if (key == "exe") {
        slot = &spec.exe;
      } else if (key == "cmdline") {
        slot = &spec.cmdline;
      } else {
        *error = where + col + ": unknown key \"" + key +
                 "\" (name, comm, exe, cmdline)";
        return false;
      }
      if (slot->has_value()) {
        *error = where + col + ": " + key + " given twice";
        return false;
      }
      if (val.empty()) {
        *error = where + col + ": empty " + key;
        return false;
      }
      *slot = val;
      if (key == "cmdline") {
        std::string reason;
        std::optional<size_t> off;
        if (!internal::CompileRegex(val, &spec.cmdline_re, &reason, &off)) {
          size_t val_col = f.offset + f.text.find(val, eq + 1) + 1;
          *error = where + ": bad cmdline regex at column " +
                   std::to_string(off ? val_col + *off : val_col) + ": " +
                   reason;
          return false;
        }
      }
    }
    if (!has_name || spec.name.empty()) {
      *error = where + ": needs name=<target name>";
      return false;
    }
    if (!spec.IsMatcher()) {
      *error = where + ": needs at least one of comm=, exe=, cmdline=";
      return false;
    }
    std::string template_error;
    if (!CompileNameTemplate(&spec, &template_error)) {
      *error = where + ": " + template_error;
      return false;
    }
    out->push_back(std::move(spec));
  }
  return true;
}

bool CompileNameTemplate(TargetSpec* spec, std::string* error) {
  if (spec->name.find("{{") == std::string::npos) return true;
  if (!spec->IsMatcher()) {
    *error = "target \"" + spec->name +
             "\": a name template needs a matcher (comm, exe or cmdline)";
    return false;
  }
  std::string why;
  auto t = NameTemplate::Parse(spec->name, &why);
  if (!t) {
    *error = "name template \"" + spec->name + "\": " + why;
    return false;
  }
  spec->name_template = std::make_shared<const NameTemplate>(std::move(*t));
  return true;
}

bool ParseNamespaceList(const std::string& value, const std::string& flag,
                        std::vector<std::string>* out, std::string* error) {
  for (const Piece& p : SplitList(value)) {
    // RFC 1123 label: what the API server accepts as a namespace name.
    bool ok = p.text.size() <= 63 &&
              std::isalnum(static_cast<unsigned char>(p.text.front())) &&
              std::isalnum(static_cast<unsigned char>(p.text.back()));
    for (char c : p.text) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }
    if (!ok) {
      *error = flag + ": \"" + p.text + "\" at column " +
               std::to_string(p.offset + 1) +
               " is not a namespace name (lowercase letters, digits, '-')";
      return false;
    }
    out->push_back(p.text);
  }
  return true;
}

bool CompileContainerTargets(ContainerTargets* c, std::string* error) {
  std::string why;
  auto t = NameTemplate::Parse(c->name, &why);
  if (!t) {
    *error = "container target name \"" + c->name + "\": " + why;
    return false;
  }
  if (t->UsesProcessFields()) {
    *error = "container target name \"" + c->name +
             "\": .Comm and .ExeBase name one process, a container target "
             "stands for all of its processes; use .Namespace .Pod "
             ".Container .PodUID .ContainerID .ContainerID12 .QoS";
    return false;
  }
  c->name_template = std::make_shared<const NameTemplate>(std::move(*t));
  return true;
}

bool CompileCmdline(TargetSpec* spec, std::string* error) {
  if (!spec->cmdline) return true;
  std::string reason;
  std::optional<size_t> off;
  if (internal::CompileRegex(*spec->cmdline, &spec->cmdline_re, &reason,
                             &off)) {
    return true;
  }
  *error = "bad cmdline regex";
  if (off) *error += " at offset " + std::to_string(*off);
  *error += ": " + reason;
  return false;
}

}  // namespace memwatch::targets
