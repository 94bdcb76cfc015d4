#include "collectors/diff/diff_result.h"

#include <algorithm>
#include <cstdlib>

#include "collectors/base/format.h"

namespace memwatch::diff {
namespace {

nlohmann::json Side(const DiffSide& s) {
  return nlohmann::json{{"nodes", s.nodes},
                        {"size_bytes", s.size_bytes},
                        {"size", NiceSize(static_cast<double>(s.size_bytes))}};
}

}  // namespace

void SortDetails(std::vector<DiffDetail>* details, size_t max) {
  std::stable_sort(details->begin(), details->end(),
                   [](const DiffDetail& x, const DiffDetail& y) {
                     if (std::llabs(x.size_bytes) != std::llabs(y.size_bytes)) {
                       return std::llabs(x.size_bytes) >
                              std::llabs(y.size_bytes);
                     }
                     return x.plus + x.minus > y.plus + y.minus;
                   });
  if (details->size() > max) details->resize(max);
}

nlohmann::json ToJson(const DiffResult& diff) {
  nlohmann::json details = nlohmann::json::array();
  for (const DiffDetail& d : diff.details) {
    nlohmann::json j = {{"what", d.what},
                        {"size_bytes", d.size_bytes},
                        {"size", NiceSize(static_cast<double>(d.size_bytes))},
                        {"+", d.plus},
                        {"-", d.minus}};
    if (d.private_bytes) j["private_bytes"] = *d.private_bytes;
    details.push_back(std::move(j));
  }
  const int64_t change = static_cast<int64_t>(diff.after.size_bytes) -
                         static_cast<int64_t>(diff.before.size_bytes);
  return {{"before", Side(diff.before)},
          {"after", Side(diff.after)},
          {"change",
           {{"size_bytes", change},
            {"size", NiceSize(static_cast<double>(change))},
            {"freed_nodes", diff.freed_nodes},
            {"allocated_nodes", diff.allocated_nodes},
            {"details", details}}}};
}

}  // namespace memwatch::diff
