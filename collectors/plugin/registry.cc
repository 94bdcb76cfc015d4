#include "collectors/plugin/registry.h"

#include <utility>

namespace memwatch {

CollectorRegistry& CollectorRegistry::Global() {
  // Leaked on purpose: registrars run during static initialisation of other
  // files.
  static auto* registry = new CollectorRegistry();
  return *registry;
}

void CollectorRegistry::Add(CollectorInfo info) {
  std::string name = info.name;
  enabled_[name] = info.enabled_by_default;
  collectors_[name] = std::move(info);
}

void CollectorRegistry::AddCommand(CommandInfo info) {
  std::string name = info.name;
  commands_[name] = std::move(info);
}

std::vector<const CollectorInfo*> CollectorRegistry::Collectors() const {
  std::vector<const CollectorInfo*> out;
  for (const auto& [name, info] : collectors_) out.push_back(&info);
  return out;
}

const CollectorInfo* CollectorRegistry::Find(const std::string& name) const {
  auto it = collectors_.find(name);
  return it == collectors_.end() ? nullptr : &it->second;
}

std::vector<const CommandInfo*> CollectorRegistry::Commands() const {
  std::vector<const CommandInfo*> out;
  for (const auto& [name, info] : commands_) out.push_back(&info);
  return out;
}

const CommandInfo* CollectorRegistry::FindCommand(
    const std::string& name) const {
  auto it = commands_.find(name);
  return it == commands_.end() ? nullptr : &it->second;
}

bool CollectorRegistry::IsEnabled(const std::string& name) const {
  auto it = enabled_.find(name);
  return it != enabled_.end() && it->second;
}

bool CollectorRegistry::SetEnabled(const std::string& name, bool enabled) {
  auto it = enabled_.find(name);
  if (it == enabled_.end()) return false;
  it->second = enabled;
  return true;
}

std::vector<std::string> CollectorRegistry::EnabledNames() const {
  std::vector<std::string> out;
  for (const auto& [name, on] : enabled_) {
    if (on) out.push_back(name);
  }
  return out;
}

CollectorRegistrar::CollectorRegistrar(const char* name,
                                       bool enabled_by_default,
                                       const char* help,
                                       CollectorFactory factory) {
  CollectorRegistry::Global().Add(
      CollectorInfo{name, enabled_by_default, help, std::move(factory)});
}

CommandRegistrar::CommandRegistrar(CommandInfo info) {
  CollectorRegistry::Global().AddCommand(std::move(info));
}

}  // namespace memwatch
