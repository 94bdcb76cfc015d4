#include "collectors/plugin/http.h"

#include <nlohmann/json.hpp>

namespace memwatch {

HttpResponse JsonError(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = nlohmann::json{{"error", message}}.dump() + "\n";
  return r;
}

}  // namespace memwatch
