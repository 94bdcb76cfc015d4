#include "exporter/flag_names.h"

namespace memwatch {
namespace {

// The registered collector whose name prefixes `gflag_name` as "<name>_".
const CollectorInfo* OwningCollector(const std::string& gflag_name,
                                     const CollectorRegistry& registry) {
  for (const CollectorInfo* c : registry.Collectors()) {
    const std::string prefix = c->name + "_";
    if (gflag_name.size() > prefix.size() &&
        gflag_name.compare(0, prefix.size(), prefix) == 0) {
      return c;
    }
  }
  return nullptr;
}

std::string Underscores(std::string s) {
  for (char& c : s) {
    if (c == '.' || c == '-') c = '_';
  }
  return s;
}

}  // namespace

std::string DisplayFlagName(const std::string& gflag_name) {
  // Spelled as in every Prometheus exporter (exporter-toolkit).
  if (gflag_name == "web_config_file") return "web.config.file";
  if (gflag_name == "web_systemd_socket") return "web.systemd-socket";
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

bool IsCollectorOption(const std::string& gflag_name,
                       const CollectorRegistry& registry) {
  return OwningCollector(gflag_name, registry) != nullptr;
}

std::string PreferredFlagName(const std::string& gflag_name,
                              const CollectorRegistry& registry) {
  const CollectorInfo* c = OwningCollector(gflag_name, registry);
  if (c == nullptr) return DisplayFlagName(gflag_name);
  std::string option = gflag_name.substr(c->name.size() + 1);
  for (char& ch : option) {
    if (ch == '_') ch = '-';
  }
  return "collector." + c->name + "." + option;
}

std::string GflagName(const std::string& display_name) {
  return Underscores(display_name);
}

std::string GflagName(const std::string& display_name,
                      const CollectorRegistry& registry) {
  std::string name = display_name;
  std::string negation;
  for (const char* no : {"no-", "no_"}) {
    if (name.rfind(no, 0) == 0) {
      negation = "no_";
      name = name.substr(3);
      break;
    }
  }
  // collector.<name>.<option>: the collector's own "<name>_<option>" gflag.
  const std::string prefix = "collector.";
  if (name.rfind(prefix, 0) == 0) {
    auto dot = name.find('.', prefix.size());
    std::string collector = name.substr(prefix.size(), dot - prefix.size());
    if (dot != std::string::npos && registry.Find(collector) != nullptr) {
      return negation + collector + "_" + Underscores(name.substr(dot + 1));
    }
  }
  return Underscores(display_name);
}

}  // namespace memwatch
