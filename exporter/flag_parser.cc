#include "exporter/flag_parser.h"

#include <gflags/gflags.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "collectors/plugin/duration.h"
#include "exporter/flag_names.h"

// node_exporter's switch: only collectors enabled by name run.
DEFINE_bool(collector_disable_defaults, false,
            "Disable every collector that is on by default; only those given "
            "as --collector.<name> run.");

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

// A first argument without dashes names a command; the rest is its own.
ParsedArgs ParseCommand(const std::vector<std::string>& args,
                        const CollectorRegistry& registry) {
  if (registry.FindCommand(args[0]) == nullptr) {
    return Error("unknown command '" + args[0] +
                 "' (see --help for commands and flags)");
  }
  ParsedArgs result;
  result.action = ParsedArgs::Action::kCommand;
  result.command = args[0];
  result.command_args.assign(args.begin() + 1, args.end());
  return result;
}

// One "--name[=value]" argument, split up.
struct FlagArg {
  std::string name;  // as the user spelled it, without dashes
  std::string value;
  bool has_value = false;
};

FlagArg SplitFlag(const std::string& arg) {
  FlagArg flag;
  std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
  flag.name = body;
  if (auto eq = body.find('='); eq != std::string::npos) {
    flag.name = body.substr(0, eq);
    flag.value = body.substr(eq + 1);
    flag.has_value = true;
  }
  return flag;
}

// --collector.<name>[=bool] and --no-collector.<name>. False if `flag` is
// not one of them; if it is one but wrong, *error says why.
bool ApplyCollectorFlag(const FlagArg& flag, CollectorRegistry* registry,
                        std::set<std::string>* explicit_names,
                        std::string* error) {
  for (const char* prefix : {"collector.", "no-collector."}) {
    std::string p = prefix;
    if (flag.name.rfind(p, 0) != 0) continue;
    std::string collector = flag.name.substr(p.size());
    // --collector.<name>.<option> and --collector.disable-defaults are flags.
    gflags::CommandLineFlagInfo info;
    if (collector.find('.') != std::string::npos ||
        gflags::GetCommandLineFlagInfo(GflagName(flag.name).c_str(), &info)) {
      return false;
    }
    bool on = p == "collector.";
    if (flag.has_value) {
      bool v;
      if (!ParseBoolValue(flag.value, &v)) {
        *error = "invalid value '" + flag.value + "' for --" + flag.name +
                 ": expected true or false";
        return true;
      }
      on = on ? v : !v;
    }
    if (!registry->SetEnabled(collector, on)) {
      *error = "unknown collector '" + collector + "' in --" + flag.name +
               " (see --help for the list)";
    }
    explicit_names->insert(collector);
    return true;
  }
  return false;
}

// Our gflag spelled `name`, or a boolean one negated by a "no"/"no_" prefix.
bool FindOurFlag(const std::string& name, const CollectorRegistry& registry,
                 std::string* gname, gflags::CommandLineFlagInfo* info,
                 bool* negated) {
  *gname = GflagName(name, registry);
  *negated = false;
  if (gflags::GetCommandLineFlagInfo(gname->c_str(), info) &&
      IsOurFlag(*info)) {
    return true;
  }
  if (gname->rfind("no", 0) != 0) return false;
  std::string positive = gname->substr((*gname)[2] == '_' ? 3 : 2);
  if (gflags::GetCommandLineFlagInfo(positive.c_str(), info) &&
      IsOurFlag(*info) && info->type == "bool") {
    *negated = true;
    *gname = positive;
    return true;
  }
  return false;
}

// The text to hand gflags: booleans spelled out, other flags' values from
// "=value" or from the next argument (then *i moves past it).
bool FlagValue(const FlagArg& flag, const gflags::CommandLineFlagInfo& info,
               bool negated, const std::vector<std::string>& args, size_t* i,
               std::string* value, std::string* error) {
  *value = flag.value;
  if (info.type == "bool") {
    bool v = true;
    if (flag.has_value && !ParseBoolValue(flag.value, &v)) {
      *error = "invalid value '" + flag.value + "' for --" + flag.name +
               ": expected true or false";
      return false;
    }
    if (negated) {
      if (flag.has_value) {
        *error = "--" + flag.name + " takes no value";
        return false;
      }
      v = false;
    }
    *value = v ? "true" : "false";
  } else if (!flag.has_value) {
    if (*i + 1 >= args.size()) {
      *error = "flag --" + flag.name + " needs a value";
      return false;
    }
    *value = args[++*i];
  }
  if (DurationFlags().count(info.name)) {
    std::optional<double> seconds = ParseDuration(*value);
    if (!seconds) {
      *error = "invalid value '" + *value + "' for --" + flag.name +
               ": expected a duration such as 15s, 1m, 2h or 500ms (a bare "
               "number is seconds)";
      return false;
    }
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", *seconds);
    *value = buf;
  }
  return true;
}

// Sets one of our gflags from args[*i] (and maybe args[*i + 1]). Values of a
// repeatable flag accumulate in `repeated`, joined with '\n'.
bool SetOurFlag(const FlagArg& flag, const CollectorRegistry& registry,
                const std::vector<std::string>& args, size_t* i,
                std::map<std::string, std::string>* repeated,
                std::string* error) {
  std::string gname;
  gflags::CommandLineFlagInfo info;
  bool negated;
  if (!FindOurFlag(flag.name, registry, &gname, &info, &negated)) {
    *error = "unknown flag --" + flag.name + " (see --help)";
    return false;
  }
  std::string value;
  if (!FlagValue(flag, info, negated, args, i, &value, error)) return false;
  if (IsRepeatable(info)) {
    auto it = repeated->find(gname);
    if (it != repeated->end()) value = it->second + "\n" + value;
    (*repeated)[gname] = value;
  }
  if (gflags::SetCommandLineOption(gname.c_str(), value.c_str()).empty()) {
    *error = "invalid value '" + value + "' for --" + flag.name +
             ": expected " + info.type;
    return false;
  }
  return true;
}

}  // namespace

ParsedArgs ParseArgs(const std::vector<std::string>& args,
                     CollectorRegistry* registry) {
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    return ParseCommand(args, *registry);
  }
  ParsedArgs result;
  std::map<std::string, std::string> repeated;  // gflag name -> joined values
  std::set<std::string> explicit_collectors;    // named by --[no-]collector.X
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      return Error("unexpected argument '" + arg + "': flags start with --");
    }
    FlagArg flag = SplitFlag(arg);
    if (flag.name == "help" || flag.name == "h") {
      result.action = ParsedArgs::Action::kHelp;
      return result;
    }
    if (flag.name == "version") {
      result.action = ParsedArgs::Action::kVersion;
      return result;
    }
    std::string error;
    if (ApplyCollectorFlag(flag, registry, &explicit_collectors, &error)) {
      if (!error.empty()) return Error(error);
      continue;
    }
    if (!SetOurFlag(flag, *registry, args, &i, &repeated, &error)) {
      return Error(error);
    }
  }
  if (FLAGS_collector_disable_defaults) {
    for (const CollectorInfo* c : registry->Collectors()) {
      if (!explicit_collectors.count(c->name)) {
        registry->SetEnabled(c->name, false);
      }
    }
  }
  return result;
}

std::string PrescanFlag(const std::vector<std::string>& args,
                        const std::string& display_name) {
  std::string value;
  const std::string want = GflagName(display_name);
  // A command's arguments are its own.
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') return value;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].size() < 2 || args[i][0] != '-') continue;  // another's value
    FlagArg flag = SplitFlag(args[i]);
    if (GflagName(flag.name) != want) continue;
    if (flag.has_value) {
      value = flag.value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
  }
  return value;
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
         "--no-name; durations as 15s, 1m, 2h, 500ms, a bare number is "
         "seconds):\n";
  std::vector<gflags::CommandLineFlagInfo> all;
  gflags::GetAllFlags(&all);
  auto name = [&registry](const gflags::CommandLineFlagInfo& f) {
    return PreferredFlagName(f.name, registry);
  };
  std::sort(all.begin(), all.end(), [&name](const auto& a, const auto& b) {
    return name(a) < name(b);
  });
  for (const auto& f : all) {
    if (!IsOurFlag(f)) continue;
    out << "  --" << name(f);
    if (DurationFlags().count(f.name)) {
      out << "="
          << FormatDuration(std::strtod(f.default_value.c_str(), nullptr));
    } else if (f.type == "string") {
      out << "=\"" << f.default_value << "\"";
    } else {
      out << "=" << f.default_value;
    }
    out << "\n      " << f.description;
    if (IsCollectorOption(f.name, registry)) {
      out << " Alias: --" << DisplayFlagName(f.name) << ".";
    }
    out << "\n";
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
