#include "exporter/flag_parser.h"

#include <gflags/gflags.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace memwatch {
namespace {

// Our flags are defined in these folders; gflags' own (flagfile, fromenv, ...)
// are not offered to users.
bool IsOurFlag(const gflags::CommandLineFlagInfo& f) {
  const std::string& file = f.filename;
  for (const char* dir : {"exporter/", "collectors/", "demo/"}) {
    if (file.rfind(dir, 0) == 0 ||
        file.find(std::string("/") + dir) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// A string flag whose help says "Repeatable" may be given several times.
bool IsRepeatable(const gflags::CommandLineFlagInfo& f) {
  return f.type == "string" &&
         f.description.find("Repeatable") != std::string::npos;
}

bool ParseBoolValue(const std::string& v, bool* out) {
  static const std::set<std::string> kTrue = {"true", "1", "yes", "y", "t"};
  static const std::set<std::string> kFalse = {"false", "0", "no", "n", "f"};
  std::string lower = v;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (kTrue.count(lower)) {
    *out = true;
    return true;
  }
  if (kFalse.count(lower)) {
    *out = false;
    return true;
  }
  return false;
}

ParsedArgs Error(const std::string& msg) {
  ParsedArgs p;
  p.action = ParsedArgs::Action::kError;
  p.error = msg;
  return p;
}

}  // namespace

std::string DisplayFlagName(const std::string& gflag_name) {
  // Spelled as in every Prometheus exporter (exporter-toolkit).
  if (gflag_name == "web_config_file") return "web.config.file";
  std::string out = gflag_name;
  bool first = true;
  for (char& c : out) {
    if (c == '_') {
      c = first ? '.' : '-';
      first = false;
    }
  }
  return out;
}

std::string GflagName(const std::string& display_name) {
  std::string out = display_name;
  for (char& c : out) {
    if (c == '.' || c == '-') c = '_';
  }
  return out;
}

ParsedArgs ParseArgs(const std::vector<std::string>& args,
                     CollectorRegistry* registry) {
  ParsedArgs result;
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    if (registry->FindCommand(args[0]) == nullptr) {
      return Error("unknown command '" + args[0] +
                   "' (see --help for commands and flags)");
    }
    result.action = ParsedArgs::Action::kCommand;
    result.command = args[0];
    result.command_args.assign(args.begin() + 1, args.end());
    return result;
  }

  std::map<std::string, std::string> repeated;  // gflag name -> joined values
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      return Error("unexpected argument '" + arg + "': flags start with --");
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body, value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    if (name == "help" || name == "h") {
      result.action = ParsedArgs::Action::kHelp;
      return result;
    }
    if (name == "version") {
      result.action = ParsedArgs::Action::kVersion;
      return result;
    }

    // --collector.<name>[=bool] and --no-collector.<name>.
    for (const char* prefix : {"collector.", "no-collector."}) {
      std::string p = prefix;
      if (name.rfind(p, 0) != 0) continue;
      std::string collector = name.substr(p.size());
      bool on = p == "collector.";
      if (has_value) {
        bool v;
        if (!ParseBoolValue(value, &v)) {
          return Error("invalid value '" + value + "' for --" + name +
                       ": expected true or false");
        }
        on = on ? v : !v;
      }
      if (!registry->SetEnabled(collector, on)) {
        return Error("unknown collector '" + collector + "' in --" + name +
                     " (see --help for the list)");
      }
      name.clear();
      break;
    }
    if (name.empty()) continue;

    std::string gname = GflagName(name);
    gflags::CommandLineFlagInfo info;
    bool found =
        gflags::GetCommandLineFlagInfo(gname.c_str(), &info) && IsOurFlag(info);
    bool negated = false;
    if (!found && gname.rfind("no", 0) == 0) {
      std::string positive = gname.substr(gname[2] == '_' ? 3 : 2);
      if (gflags::GetCommandLineFlagInfo(positive.c_str(), &info) &&
          IsOurFlag(info) && info.type == "bool") {
        found = true;
        negated = true;
        gname = positive;
      }
    }
    if (!found) {
      return Error("unknown flag --" + name + " (see --help)");
    }
    if (info.type == "bool") {
      bool v = true;
      if (has_value && !ParseBoolValue(value, &v)) {
        return Error("invalid value '" + value + "' for --" + name +
                     ": expected true or false");
      }
      if (negated) {
        if (has_value) return Error("--" + name + " takes no value");
        v = false;
      }
      value = v ? "true" : "false";
    } else if (!has_value) {
      if (i + 1 >= args.size()) {
        return Error("flag --" + name + " needs a value");
      }
      value = args[++i];
    }
    if (IsRepeatable(info)) {
      auto it = repeated.find(gname);
      if (it != repeated.end()) value = it->second + "\n" + value;
      repeated[gname] = value;
    }
    if (gflags::SetCommandLineOption(gname.c_str(), value.c_str()).empty()) {
      return Error("invalid value '" + value + "' for --" + name +
                   ": expected " + info.type);
    }
  }
  return result;
}

std::string HelpText(const CollectorRegistry& registry) {
  std::ostringstream out;
  out << "memwatch_exporter: process usage, GC statistics and leak events of "
         "other "
         "processes, for Prometheus.\n\n"
         "Usage:\n"
         "  memwatch_exporter [flags]\n"
         "  memwatch_exporter <command> [args]\n\n"
         "Flags (--name=value or --name value; booleans also --name / "
         "--no-name):\n";
  std::vector<gflags::CommandLineFlagInfo> all;
  gflags::GetAllFlags(&all);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return DisplayFlagName(a.name) < DisplayFlagName(b.name);
  });
  for (const auto& f : all) {
    if (!IsOurFlag(f)) continue;
    out << "  --" << DisplayFlagName(f.name);
    if (f.type == "string") {
      out << "=\"" << f.default_value << "\"";
    } else {
      out << "=" << f.default_value;
    }
    out << "\n      " << f.description << "\n";
  }
  out << "  --help\n      Show this help and exit.\n"
      << "  --version\n      Print the version and exit.\n\n"
      << "Collectors (--collector.<name> enables, --no-collector.<name> "
         "disables):\n";
  for (const CollectorInfo* c : registry.Collectors()) {
    out << "  " << c->name << " ["
        << (c->enabled_by_default ? "enabled" : "disabled")
        << " by default]\n      " << c->help << "\n";
  }
  auto commands = registry.Commands();
  if (!commands.empty()) {
    out << "\nCommands:\n";
    for (const CommandInfo* c : commands) {
      out << "  memwatch_exporter " << c->usage << "\n      " << c->help
          << "\n";
    }
  }
  return out.str();
}

}  // namespace memwatch
