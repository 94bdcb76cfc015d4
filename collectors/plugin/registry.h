// Self-registration of collector plugins and subcommands. A plugin's .cc file
// holds
//   MEMWATCH_REGISTER_COLLECTOR(process, /*enabled_by_default=*/true, "help
//   text",
//                               [](const CollectorContext& c) { return ...; });
// and its cc_library sets alwayslink = True, so that adding a plugin touches no
// central list.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectors/plugin/collector.h"

namespace memwatch {

using CollectorFactory =
    std::function<std::unique_ptr<Collector>(const CollectorContext&)>;

struct CollectorInfo {
  std::string name;
  bool enabled_by_default = false;
  std::string help;
  CollectorFactory factory;
};

// What the exporter hands a subcommand from its own flags (parsed before the
// subcommand's name), so that no plugin reads another's flags.
struct CommandContext {
  std::string procfs_root;  // --path.procfs
};

// A subcommand such as `memwatch_exporter lookup --pid N`. It receives the
// context and the arguments after its name, as given (it parses them
// itself), and returns the process exit code.
struct CommandInfo {
  std::string name;
  std::string usage;  // one line, e.g. "lookup --pid N"
  std::string help;
  std::function<int(const CommandContext& ctx,
                    const std::vector<std::string>& args)>
      run;
};

class CollectorRegistry {
 public:
  static CollectorRegistry& Global();

  void Add(CollectorInfo info);
  void AddCommand(CommandInfo info);

  // Sorted by name.
  std::vector<const CollectorInfo*> Collectors() const;
  const CollectorInfo* Find(const std::string& name) const;
  std::vector<const CommandInfo*> Commands() const;
  const CommandInfo* FindCommand(const std::string& name) const;

  // Enable state: defaults until overridden by --[no-]collector.<name>.
  bool IsEnabled(const std::string& name) const;
  // Returns false if no such collector.
  bool SetEnabled(const std::string& name, bool enabled);
  std::vector<std::string> EnabledNames() const;

 private:
  std::map<std::string, CollectorInfo> collectors_;
  std::map<std::string, bool> enabled_;
  std::map<std::string, CommandInfo> commands_;
};

struct CollectorRegistrar {
  CollectorRegistrar(const char* name, bool enabled_by_default,
                     const char* help, CollectorFactory factory);
};

struct CommandRegistrar {
  explicit CommandRegistrar(CommandInfo info);
};

}  // namespace memwatch

#define MEMWATCH_REGISTER_COLLECTOR(name, enabled_by_default, help, factory) \
  static ::memwatch::CollectorRegistrar memwatch_collector_registrar_##name( \
      #name, enabled_by_default, help, factory)
