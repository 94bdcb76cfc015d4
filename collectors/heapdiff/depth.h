// One depth of memwatch's HeapDiff in the API (`by=` of POST
// /api/v1/heapdiff): mapping, constructor, class, stack. POST starts a diff of
// a watched process, GET /api/v1/heapdiff/<id> ends it; a depth owns the ids
// with its prefix.
#pragma once

#include <string>
#include <vector>

#include "collectors/plugin/http.h"

namespace memwatch::heapdiff {

// The watched process a diff is of (the API refuses any other).
struct DiffTarget {
  int pid = 0;
  std::string name;  // target name; "" when given by pid
};

class Depth {
 public:
  virtual ~Depth() = default;
  virtual const char* by() const = 0;
  // Query parameters this depth takes besides name, pid and by.
  virtual std::vector<std::string> parameters() const { return {}; }
  // Starts a diff: 200 {"id": ...} or an error status.
  virtual HttpResponse Start(const DiffTarget& target,
                             const HttpRequest& request) = 0;
  // Whether `id` is one of this depth's.
  virtual bool Owns(const std::string& id) const = 0;
  // Ends it: 200 with the diff, 404 unknown, 410 ended or expired, ...
  virtual HttpResponse End(const std::string& id) = 0;
  // The exporter is stopping: abandon readings under way.
  virtual void Cancel() {}
};

}  // namespace memwatch::heapdiff
