// --targets.config: a YAML file listing targets, e.g.
//   targets:
//     - name: api
//       comm: node
//       cmdline: 'server\.js'
//     - {name: db, pidfile: /run/postgres.pid}
//     - {name: legacy, pid: 1234}
//     - {name: api, comm: node, gc_log: /var/log/api/gc.log}
//     - {name: gosvc, comm: gosvc, pprof: 6060}   # net/http/pprof, loopback
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

bool ParseEntry(const YAML::Node& entry, const std::string& file,
                TargetSpec* spec, std::string* error) {
  if (!entry.IsMap()) {
    *error = At(file, entry.Mark()) + "each target must be a mapping";
    return false;
  }
  std::string why;
  for (const auto& kv : entry) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (!v.IsScalar()) {
      *error = At(file, v.Mark()) + key + " must be a scalar";
      return false;
    }
    std::string val = v.as<std::string>();
    if (key == "name") {
      spec->name = val;
    } else if (key == "pid") {
      int pid = 0;
      if (!YAML::convert<int>::decode(v, pid) || pid <= 0) {
        *error = At(file, v.Mark()) + "pid must be a positive integer";
        return false;
      }
      spec->pid = pid;
    } else if (key == "pidfile") {
      spec->pidfile = val;
    } else if (key == "gc_log") {
      if (val.empty()) {
        *error = At(file, v.Mark()) + "gc_log must be a file path";
        return false;
      }
      spec->gc_log = val;
    } else if (key == "pprof") {
      auto url = PprofBaseUrl(val, &why);
      if (!url) {
        *error = At(file, v.Mark()) + why;
        return false;
      }
      spec->pprof = *url;
    } else if (key == "comm") {
      spec->comm = val;
    } else if (key == "exe") {
      spec->exe = val;
    } else if (key == "cmdline") {
      spec->cmdline = val;
      std::string regex_error;
      if (!CompileCmdline(spec, &regex_error)) {
        *error = At(file, v.Mark()) + regex_error;
        return false;
      }
    } else {
      *error = At(file, kv.first.Mark()) + "unknown key \"" + key +
               "\" (name, pid, pidfile, comm, exe, cmdline, gc_log, pprof)";
      return false;
    }
  }
  if (spec->name.empty()) {
    *error = At(file, entry.Mark()) + "target needs a name";
    return false;
  }
  int kinds = (spec->pid ? 1 : 0) + (spec->pidfile ? 1 : 0) +
              (spec->IsMatcher() ? 1 : 0);
  std::string template_error;
  if (kinds == 1 && !CompileNameTemplate(spec, &template_error)) {
    *error = At(file, entry.Mark()) + template_error;
    return false;
  }
  if (spec->name_template && !spec->pprof.empty()) {
    *error = At(file, entry.Mark()) + "target \"" + spec->name +
             "\": pprof needs a plain name, not a template (for containers, "
             "use the memwatch.io/pprof-port pod annotation)";
    return false;
  }
  if (kinds != 1) {
    *error = At(file, entry.Mark()) + "target \"" + spec->name +
             "\" needs exactly one of pid, pidfile, or comm/exe/cmdline";
    return false;
  }
  return true;
}

}  // namespace

bool ParseTargetsYaml(const std::string& text, const std::string& file,
                      std::vector<TargetSpec>* out, std::string* error) {
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
    for (const auto& entry : list) {
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

}  // namespace memwatch::targets
