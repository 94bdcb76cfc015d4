#include "collectors/kubeapi/pod_list.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace memwatch::kubeapi {
namespace {

using nlohmann::json;

// The only keys kept while parsing: a pod's spec, labels, managed fields and
// container states make up most of a PodList and are dropped as they are read,
// so memory follows the few names used, not the document size.
const std::set<std::string, std::less<>>& KeptKeys() {
  static const auto* keys = new std::set<std::string, std::less<>>{
      "kind",
      "apiVersion",
      "metadata",
      "items",
      "resourceVersion",
      "uid",
      "name",
      "namespace",
      "annotations",
      "kubernetes.io/config.hash",
      kPprofPortAnnotation,
      kExcludeAnnotation,
      "status",
      "containerStatuses",
      "initContainerStatuses",
      "ephemeralContainerStatuses",
      "containerID",
      "message",
      "reason",
      "code",
  };
  return *keys;
}

// "6060" -> 6060; 0 for anything but a port number.
int PortOf(const std::string& s) {
  if (s.empty() || s.size() > 5 ||
      s.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  const int port = std::stoi(s);
  return port <= 65535 ? port : 0;
}

// A string member of `o`, "" when absent or not a string (the API omits empty
// fields; a wrong type is treated as absent rather than failing the list).
std::string Str(const json& o, const char* key) {
  if (!o.is_object()) return "";
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return "";
  const auto& s = it->get_ref<const std::string&>();
  return s.size() > kMaxNameBytes ? "" : s;
}

const json* Member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

bool AddStatuses(const json& status, const char* key, PodNames* pod,
                 std::string* error) {
  const json* list = Member(status, key);
  if (list == nullptr || list->is_null()) return true;
  if (!list->is_array()) {
    *error = std::string("status.") + key + " is not an array";
    return false;
  }
  for (const json& c : *list) {
    std::string id = StripContainerIdScheme(Str(c, "containerID"));
    std::string name = Str(c, "name");
    if (id.empty() || name.empty()) continue;
    if (pod->containers.size() >= kMaxContainersPerPod) {
      *error = "pod " + pod->namespace_name + "/" + pod->pod +
               " has more than " + std::to_string(kMaxContainersPerPod) +
               " containers";
      return false;
    }
    pod->containers[id] = name;
  }
  return true;
}

}  // namespace

std::string StripContainerIdScheme(std::string_view id) {
  size_t sep = id.find("://");
  if (sep != std::string_view::npos) id.remove_prefix(sep + 3);
  std::string out(id);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

bool ParsePodList(std::string_view document, PodIndex* out,
                  std::string* error) {
  *out = PodIndex{};
  if (document.size() > kMaxPodListBytes) {
    *error = "pod list of " + std::to_string(document.size()) +
             " bytes is larger than the " + std::to_string(kMaxPodListBytes) +
             " byte limit";
    return false;
  }
  json doc;
  try {
    doc = json::parse(
        document.begin(), document.end(),
        [](int, json::parse_event_t event, json& parsed) {
          if (event != json::parse_event_t::key) return true;
          return KeptKeys().count(parsed.get_ref<const std::string&>()) > 0;
        },
        /*allow_exceptions=*/true);
  } catch (const json::exception& e) {
    *error = std::string("pod list is not JSON: ") + e.what();
    return false;
  }
  if (!doc.is_object()) {
    *error = "pod list is not a JSON object";
    return false;
  }
  std::string kind = Str(doc, "kind");
  if (kind == "Status") {
    std::string message = Str(doc, "message");
    *error = "API server answered with a Status: " +
             (message.empty() ? Str(doc, "reason") : message);
    return false;
  }
  if (!kind.empty() && kind != "PodList") {
    *error = "expected kind PodList, got " + kind;
    return false;
  }
  const json* items = Member(doc, "items");
  if (items == nullptr || !items->is_array()) {
    *error = "pod list has no items array";
    return false;
  }
  if (items->size() > kMaxPods) {
    *error = "pod list has " + std::to_string(items->size()) +
             " items, more than " + std::to_string(kMaxPods);
    return false;
  }
  if (const json* meta = Member(doc, "metadata")) {
    out->resource_version = Str(*meta, "resourceVersion");
  }
  out->pod_count = items->size();
  for (const json& item : *items) {
    const json* meta = Member(item, "metadata");
    if (meta == nullptr) continue;
    std::string uid = Str(*meta, "uid");
    if (uid.empty()) continue;
    PodNames pod;
    pod.namespace_name = Str(*meta, "namespace");
    pod.pod = Str(*meta, "name");
    if (const json* status = Member(item, "status")) {
      for (const char* key : {"containerStatuses", "initContainerStatuses",
                              "ephemeralContainerStatuses"}) {
        if (!AddStatuses(*status, key, &pod, error)) return false;
      }
    }
    // A static pod's cgroup carries its manifest hash, not the mirror pod's
    // UID the API server made up.
    if (const json* ann = Member(*meta, "annotations")) {
      pod.pprof_port = PortOf(Str(*ann, kPprofPortAnnotation));
      pod.excluded = Str(*ann, kExcludeAnnotation) == "true";
      std::string hash = Str(*ann, "kubernetes.io/config.hash");
      if (!hash.empty() && hash != uid) out->pods[hash] = pod;
    }
    out->pods[uid] = std::move(pod);
  }
  return true;
}

}  // namespace memwatch::kubeapi
