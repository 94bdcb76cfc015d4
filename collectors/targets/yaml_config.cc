// --targets.config: a YAML file listing targets, e.g.
//   targets:
//     - name: api
//       comm: node
//       cmdline: 'server\.js'
//     - {name: db, pidfile: /run/postgres.pid}
//     - {name: legacy, pid: 1234}
//     - {name: api, comm: node, gc_log: /var/log/api/gc.log}
//     - {name: gosvc, comm: gosvc, pprof: 6060}   # net/http/pprof, loopback
//     - containers:                 # every Kubernetes container of the node
//         namespaces_exclude: [kube-system]
//     - containers: true            # the same, unfiltered
#include <yaml-cpp/yaml.h>

#include "collectors/targets/config.h"

namespace memwatch::targets {
namespace {

std::string At(const std::string& file, const YAML::Mark& mark) {
  // yaml-cpp marks are 0-based; editors count from 1. An empty document has
  // a null mark: point at its start.
  if (mark.is_null()) return file + ":1:1: ";
  return file + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1) + ": ";
}

// One scalar key of a target entry into *spec; false with *why (about the
// value, or about the key itself when *at_key).
bool SetKey(const std::string& key, const YAML::Node& v, TargetSpec* spec,
            std::string* why, bool* at_key) {
  std::string val = v.as<std::string>();
  if (key == "name") {
    spec->name = val;
  } else if (key == "pid") {
    int pid = 0;
    if (!YAML::convert<int>::decode(v, pid) || pid <= 0) {
      *why = "pid must be a positive integer";
      return false;
    }
    spec->pid = pid;
  } else if (key == "pidfile") {
    spec->pidfile = val;
  } else if (key == "gc_log") {
    if (val.empty()) {
      *why = "gc_log must be a file path";
      return false;
    }
    spec->gc_log = val;
  } else if (key == "pprof") {
    auto url = PprofBaseUrl(val, why);
    if (!url) return false;
    spec->pprof = *url;
  } else if (key == "comm") {
    spec->comm = val;
  } else if (key == "exe") {
    spec->exe = val;
  } else if (key == "cmdline") {
    spec->cmdline = val;
    if (!CompileCmdline(spec, why)) return false;
  } else {
    *why = "unknown key \"" + key +
           "\" (name, pid, pidfile, comm, exe, cmdline, gc_log, pprof)";
    *at_key = true;
    return false;
  }
  return true;
}

// A whole entry: a name, exactly one way to find its processes, a template
// that compiles; false with *why.
bool CheckEntry(TargetSpec* spec, std::string* why) {
  if (spec->name.empty()) {
    *why = "target needs a name";
    return false;
  }
  int kinds = (spec->pid ? 1 : 0) + (spec->pidfile ? 1 : 0) +
              (spec->IsMatcher() ? 1 : 0);
  if (kinds == 1 && !CompileNameTemplate(spec, why)) return false;
  if (spec->name_template && !spec->pprof.empty()) {
    *why = "target \"" + spec->name +
           "\": pprof needs a plain name, not a template (for containers, "
           "use the memwatch.io/pprof-port pod annotation)";
    return false;
  }
  if (kinds != 1) {
    *why = "target \"" + spec->name +
           "\" needs exactly one of pid, pidfile, or comm/exe/cmdline";
    return false;
  }
  return true;
}

bool ParseEntry(const YAML::Node& entry, const std::string& file,
                TargetSpec* spec, std::string* error) {
  if (!entry.IsMap()) {
    *error = At(file, entry.Mark()) + "each target must be a mapping";
    return false;
  }
  for (const auto& kv : entry) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (!v.IsScalar()) {
      *error = At(file, v.Mark()) + key + " must be a scalar";
      return false;
    }
    std::string why;
    bool at_key = false;
    if (!SetKey(key, v, spec, &why, &at_key)) {
      *error = At(file, at_key ? kv.first.Mark() : v.Mark()) + why;
      return false;
    }
  }
  std::string why;
  if (!CheckEntry(spec, &why)) {
    *error = At(file, entry.Mark()) + why;
    return false;
  }
  return true;
}

bool NamespaceList(const YAML::Node& v, const std::string& file,
                   const std::string& key, std::vector<std::string>* out,
                   std::string* error) {
  if (!v.IsSequence()) {
    *error = At(file, v.Mark()) + key + " must be a list of namespaces";
    return false;
  }
  for (const auto& item : v) {
    if (!item.IsScalar() ||
        !ParseNamespaceList(item.as<std::string>(), key, out, error)) {
      if (!item.IsScalar()) *error = key + ": items must be names";
      *error = At(file, item.Mark()) + *error;
      return false;
    }
  }
  return true;
}

// `containers: true|false` or `containers: {namespaces_include: [...],
// namespaces_exclude: [...], name: TEMPLATE}`.
bool ParseContainers(const YAML::Node& entry, const std::string& file,
                     ContainerTargets* out, std::string* error) {
  if (entry.size() != 1) {
    *error = At(file, entry.Mark()) +
             "a containers entry has no other keys than containers";
    return false;
  }
  const YAML::Node& v = entry["containers"];
  if (v.IsScalar()) {
    bool on = false;
    if (!YAML::convert<bool>::decode(v, on)) {
      *error = At(file, v.Mark()) + "containers must be true, false or a map";
      return false;
    }
    out->enabled = on;
    return true;
  }
  if (!v.IsMap()) {
    *error = At(file, v.Mark()) + "containers must be true, false or a map";
    return false;
  }
  out->enabled = true;
  for (const auto& kv : v) {
    std::string key = kv.first.as<std::string>();
    if (key == "namespaces_include" || key == "namespaces_exclude") {
      if (!NamespaceList(kv.second, file, key,
                         key == "namespaces_include" ? &out->namespaces_include
                                                     : &out->namespaces_exclude,
                         error)) {
        return false;
      }
    } else if (key == "name" && kv.second.IsScalar()) {
      out->name = kv.second.as<std::string>();
      if (!CompileContainerTargets(out, error)) {
        *error = At(file, kv.second.Mark()) + *error;
        return false;
      }
    } else {
      *error = At(file, kv.first.Mark()) + "unknown key \"" + key +
               "\" of containers (namespaces_include, namespaces_exclude, "
               "name)";
      return false;
    }
  }
  return true;
}

bool ParseYaml(const std::string& text, const std::string& file,
               std::vector<TargetSpec>* out, ContainerTargets* containers,
               std::string* error);

}  // namespace

bool ParseTargetsYaml(const std::string& text, const std::string& file,
                      std::vector<TargetSpec>* out, std::string* error) {
  return ParseYaml(text, file, out, nullptr, error);
}

bool ParseTargetsYaml(const std::string& text, const std::string& file,
                      TargetConfig* out, std::string* error) {
  return ParseYaml(text, file, &out->specs, &out->containers, error);
}

namespace {

bool ParseYaml(const std::string& text, const std::string& file,
               std::vector<TargetSpec>* out, ContainerTargets* containers,
               std::string* error) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    *error = At(file, e.mark) + e.msg;
    return false;
  }
  try {
    if (!root.IsMap() || !root["targets"]) {
      *error = At(file, root.Mark()) + "expected a mapping with \"targets:\"";
      return false;
    }
    for (const auto& kv : root) {
      if (kv.first.as<std::string>() != "targets") {
        *error = At(file, kv.first.Mark()) + "unknown key \"" +
                 kv.first.as<std::string>() + "\" (targets)";
        return false;
      }
    }
    const YAML::Node& list = root["targets"];
    if (!list.IsSequence()) {
      *error = At(file, list.Mark()) + "\"targets\" must be a list";
      return false;
    }
    bool seen_containers = false;
    for (const auto& entry : list) {
      if (entry.IsMap() && entry["containers"]) {
        if (containers == nullptr || seen_containers) {
          *error = At(file, entry.Mark()) +
                   (seen_containers ? "only one containers entry"
                                    : "containers entries are not read here");
          return false;
        }
        seen_containers = true;
        if (!ParseContainers(entry, file, containers, error)) return false;
        continue;
      }
      TargetSpec spec;
      if (!ParseEntry(entry, file, &spec, error)) return false;
      out->push_back(std::move(spec));
    }
  } catch (const YAML::Exception& e) {
    *error = At(file, e.mark) + e.msg;
    return false;
  }
  return true;
}

}  // namespace
}  // namespace memwatch::targets
