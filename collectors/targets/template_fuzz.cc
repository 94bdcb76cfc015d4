// Hostile name templates (first line) and process values (the rest): Parse
// must not crash; Expand must give a bounded, valid UTF-8 label value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/base/utf8.h"
#include "collectors/targets/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view tmpl = in.substr(0, nl);
  std::string_view rest =
      nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  std::string error;
  auto t = memwatch::targets::NameTemplate::Parse(tmpl, &error);
  if (!t) {
    if (error.empty()) std::abort();
    return 0;
  }
  memwatch::targets::TemplateValues v;
  v.comm = std::string(rest.substr(0, 16));
  v.exe_base = std::string(rest);
  v.pod_uid = std::string(rest.substr(rest.size() / 2));
  v.container_id = std::string(rest);
  v.qos = v.namespace_name = v.pod = v.container = std::string(rest);
  std::string out = t->Expand(v);
  if (out.size() > memwatch::targets::kMaxExpandedNameBytes ||
      memwatch::SanitizeUtf8(out) != out) {
    std::abort();
  }
  return 0;
}
