#include "collectors/targets/template.h"

#include <algorithm>

#include "collectors/base/utf8.h"

namespace memwatch::targets {
namespace {

// Expansion stops growing here: the result is cut to kMaxExpandedNameBytes
// anyway; the 2x margin lets a value cut mid-sequence still fill the cap.
constexpr size_t kBudget = kMaxExpandedNameBytes * 2;

struct FieldName {
  std::string_view name;
  NameTemplate::Field field;
};
constexpr FieldName kFields[] = {
    {"Comm", NameTemplate::Field::kComm},
    {"ExeBase", NameTemplate::Field::kExeBase},
    {"PodUID", NameTemplate::Field::kPodUid},
    {"ContainerID", NameTemplate::Field::kContainerId},
    {"ContainerID12", NameTemplate::Field::kContainerId12},
    {"QoS", NameTemplate::Field::kQos},
    {"Namespace", NameTemplate::Field::kNamespace},
    {"Pod", NameTemplate::Field::kPod},
    {"Container", NameTemplate::Field::kContainer},
};

std::string KnownFields() {
  std::string s;
  for (const FieldName& f : kFields) {
    if (!s.empty()) s += ' ';
    s += '.';
    s += f.name;
  }
  return s;
}

bool Fail(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

std::string Column(size_t offset) { return std::to_string(offset + 1); }

// Printable-ASCII rendering of an action for error messages.
std::string Quote(std::string_view s) {
  constexpr size_t kMaxQuoted = 40;
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < kMaxQuoted; ++i) {
    char c = s[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > kMaxQuoted) out += "...";
  return out + "\"";
}

bool IsIdentChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_';
}

bool FieldNeedsContainer(NameTemplate::Field f) {
  switch (f) {
    case NameTemplate::Field::kPodUid:
    case NameTemplate::Field::kContainerId:
    case NameTemplate::Field::kContainerId12:
    case NameTemplate::Field::kQos:
    case NameTemplate::Field::kNamespace:
    case NameTemplate::Field::kPod:
    case NameTemplate::Field::kContainer:
      return true;
    default:
      return false;
  }
}

// Length of the UTF-8 sequence starting at s[i]; s is already valid UTF-8.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  return 4;
}

// The template's size and encoding; false with *error.
bool CheckText(std::string_view tmpl, std::string* error) {
  if (tmpl.empty()) {
    Fail(error, "name template is empty");
    return false;
  }
  if (tmpl.size() > kMaxTemplateBytes) {
    Fail(error, "name template is " + std::to_string(tmpl.size()) +
                    " bytes, more than " + std::to_string(kMaxTemplateBytes));
    return false;
  }
  if (SanitizeUtf8(tmpl) != tmpl) {
    Fail(error, "name template is not valid UTF-8");
    return false;
  }
  return true;
}

// The field of the action "{{ .Name }}" at column i (between i + 2 and
// close); nullptr with *error when it names none.
const FieldName* ParseAction(std::string_view tmpl, size_t i, size_t close,
                             std::string* error) {
  std::string_view action = tmpl.substr(i + 2, close - i - 2);
  size_t b = action.find_first_not_of(" \t");
  size_t e = action.find_last_not_of(" \t");
  std::string_view body =
      b == std::string_view::npos ? "" : action.substr(b, e - b + 1);
  if (body.empty()) {
    Fail(error, "name template: empty {{}} at column " + Column(i));
    return nullptr;
  }
  bool ident = body.size() >= 2 && body[0] == '.';
  for (size_t k = 1; ident && k < body.size(); ++k) {
    ident = IsIdentChar(body[k]);
  }
  if (!ident) {
    Fail(error, "name template: " + Quote(body) + " at column " + Column(i) +
                    " is not a field; use one of " + KnownFields());
    return nullptr;
  }
  std::string_view name = body.substr(1);
  const FieldName* found = nullptr;
  for (const FieldName& f : kFields) {
    if (f.name == name) found = &f;
  }
  if (!found && name == "PID") {
    Fail(error, "name template: {{.PID}} at column " + Column(i) +
                    " is not allowed: a pid in a target name makes a new "
                    "series at every restart (name it by .Comm, .ExeBase, "
                    ".Container or .ContainerID12)");
    return nullptr;
  }
  if (!found) {
    Fail(error, "name template: unknown field " + Quote(body) + " at column " +
                    Column(i) + "; known: " + KnownFields());
  }
  return found;
}

}  // namespace

std::string SanitizeNameValue(std::string_view s) {
  // Sanitize at most a bounded prefix: the rest would be cut anyway.
  std::string valid = SanitizeUtf8(s.substr(0, kBudget));
  std::string out;
  out.reserve(std::min(valid.size(), kMaxExpandedNameBytes));
  for (size_t i = 0; i < valid.size();) {
    size_t n = SequenceLength(static_cast<unsigned char>(valid[i]));
    if (out.size() + n > kMaxExpandedNameBytes) break;
    if (n == 1) {
      char c = valid[i];
      out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '_' : c;
    } else {
      out.append(valid, i, n);
    }
    i += n;
  }
  return out;
}

std::optional<NameTemplate> NameTemplate::Parse(std::string_view tmpl,
                                                std::string* error) {
  if (!CheckText(tmpl, error)) return std::nullopt;
  NameTemplate t;
  t.text_ = std::string(tmpl);
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    t.pieces_.push_back(Piece{Field::kLiteral, std::move(literal)});
    literal.clear();
  };
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl.compare(i, 2, "}}") == 0) {
      Fail(error,
           "name template: \"}}\" without \"{{\" at column " + Column(i));
      return std::nullopt;
    }
    if (tmpl.compare(i, 2, "{{") != 0) {
      literal += tmpl[i++];
      continue;
    }
    size_t close = tmpl.find("}}", i + 2);
    size_t nested = tmpl.find("{{", i + 2);
    if (close == std::string_view::npos || nested < close) {
      Fail(error,
           "name template: \"{{\" without \"}}\" at column " + Column(i));
      return std::nullopt;
    }
    const FieldName* found = ParseAction(tmpl, i, close, error);
    if (!found) return std::nullopt;
    flush();
    t.pieces_.push_back(Piece{found->field, ""});
    if (FieldNeedsContainer(found->field)) {
      t.needs_container_ = true;
    }
    if (found->field == Field::kComm || found->field == Field::kExeBase) {
      t.uses_process_fields_ = true;
    }
    i = close + 2;
  }
  flush();
  return t;
}

std::string NameTemplate::Expand(const TemplateValues& v) const {
  std::string out;
  auto add = [&out](std::string_view s) {
    out.append(s.substr(0, kBudget - std::min(out.size(), kBudget)));
  };
  for (const Piece& p : pieces_) {
    if (out.size() >= kBudget) break;
    switch (p.field) {
      case Field::kLiteral:
        add(p.literal);
        break;
      case Field::kComm:
        add(v.comm);
        break;
      case Field::kExeBase:
        add(v.exe_base);
        break;
      case Field::kPodUid:
        add(v.pod_uid);
        break;
      case Field::kContainerId:
        add(v.container_id);
        break;
      case Field::kContainerId12:
        add(v.container_id.substr(0, 12));
        break;
      case Field::kQos:
        add(v.qos);
        break;
      case Field::kNamespace:
        add(v.namespace_name);
        break;
      case Field::kPod:
        add(v.pod);
        break;
      case Field::kContainer:
        add(v.container);
        break;
    }
  }
  return SanitizeNameValue(out);
}

void SetContainerFields(const procfs::ContainerIdentity& id,
                        TemplateValues* values) {
  values->pod_uid = id.pod_uid;
  values->container_id = id.container_id;
  values->qos = id.qos;
}

bool ValidateNameTemplate(std::string_view tmpl, std::string* error) {
  return NameTemplate::Parse(tmpl, error).has_value();
}

std::optional<std::string> ExpandNameTemplate(std::string_view tmpl,
                                              const TemplateValues& values,
                                              std::string* error) {
  auto t = NameTemplate::Parse(tmpl, error);
  if (!t) return std::nullopt;
  return t->Expand(values);
}

}  // namespace memwatch::targets
