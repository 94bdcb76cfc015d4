// Naming templates for targets, in process-exporter's style:
// "{{.Comm}}-{{.PodUID}}" makes one series per container instead of summing
// every matching process on the node into one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/container.h"

namespace memwatch::targets {

// What a template can refer to; "" for what is not known (a process outside
// Kubernetes has no PodUID; Namespace/Pod/Container need the API server).
struct TemplateValues {
  std::string comm;
  std::string exe_base;      // basename of /proc/<pid>/exe
  std::string pod_uid;       // procfs::ContainerIdentity::pod_uid
  std::string container_id;  // 64 hex; {{.ContainerID12}} is its first 12
  std::string qos;           // "guaranteed" | "burstable" | "besteffort"
  std::string namespace_name;
  std::string pod;
  std::string container;
};

// Copies pod_uid, container_id and qos into `values` (Namespace/Pod/Container
// stay as they are: the cgroup path does not know them).
void SetContainerFields(const procfs::ContainerIdentity& id,
                        TemplateValues* values);

// Template text longer than this is refused at start-up.
inline constexpr size_t kMaxTemplateBytes = 1024;
// Expanded names are cut to this many bytes (on a UTF-8 boundary): they end
// up as label values on every series of the target.
inline constexpr size_t kMaxExpandedNameBytes = 256;

class NameTemplate {
 public:
  // Fields: .Comm .ExeBase .PodUID .ContainerID .ContainerID12 .QoS
  // .Namespace .Pod .Container, written {{.Field}} (spaces inside the braces
  // allowed). There is no .PID: a pid in a target name would make a new
  // series at every restart (the error says so). Errors name the 1-based
  // byte column: an unknown field (named),
  // a "{{" without "}}", a "}}" without "{{", an empty or non-field action,
  // invalid UTF-8, empty or over-long text. Single '{' and '}' are literal.
  static std::optional<NameTemplate> Parse(std::string_view tmpl,
                                           std::string* error);

  // Never fails: the result is valid UTF-8, control characters become '_',
  // at most kMaxExpandedNameBytes long. May be "" (e.g. "{{.Pod}}" unknown).
  std::string Expand(const TemplateValues& values) const;

  // True when a field needs the process's container identity (PodUID,
  // ContainerID, ContainerID12, QoS, Namespace, Pod, Container), so callers
  // read /proc/<pid>/cgroup only when the template uses it.
  bool NeedsContainer() const { return needs_container_; }
  // True when a field is one process's (Comm, ExeBase): container targets,
  // which stand for all of a container's processes, cannot use them.
  bool UsesProcessFields() const { return uses_process_fields_; }
  const std::string& text() const { return text_; }

  enum class Field {
    kLiteral,
    kComm,
    kExeBase,
    kPodUid,
    kContainerId,
    kContainerId12,
    kQos,
    kNamespace,
    kPod,
    kContainer,
  };

 private:
  struct Piece {
    Field field = Field::kLiteral;
    std::string literal;
  };
  std::string text_;
  std::vector<Piece> pieces_;
  bool needs_container_ = false;
  bool uses_process_fields_ = false;
};

// Start-up check of a template (flag or config value); true when valid.
bool ValidateNameTemplate(std::string_view tmpl, std::string* error);

// Parse + Expand in one go; nullopt (with *error) when the template is bad.
std::optional<std::string> ExpandNameTemplate(std::string_view tmpl,
                                              const TemplateValues& values,
                                              std::string* error);

// `s` as a label value: invalid UTF-8 -> U+FFFD, control characters -> '_',
// cut to kMaxExpandedNameBytes on a character boundary.
std::string SanitizeNameValue(std::string_view s);

}  // namespace memwatch::targets
