#include "collectors/memwatch/events_api.h"

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

namespace memwatch::memwatch_plugin {

HttpResponse HandleEvents(const detect::EventBuffer& buffer,
                          const HttpRequest& req) {
  std::string name, type;
  double since = -INFINITY;
  for (const auto& [key, value] : req.query) {
    if (key == "name") {
      name = value;
    } else if (key == "type") {
      if (value != "leak" && value != "stats" && value != "verdict" &&
          !value.empty()) {
        return JsonError(400, "type must be leak, stats or verdict");
      }
      type = value;
    } else if (key == "since") {
      char* end = nullptr;
      since = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !std::isfinite(since)) {
        return JsonError(400, "since must be a Unix time in seconds");
      }
    } else {
      return JsonError(
          400, "unknown parameter " + key + " (known: name, since, type)");
    }
  }
  nlohmann::json body;
  body["events"] = nlohmann::json::array();
  for (const detect::Event& e : buffer.Query(name, type, since)) {
    body["events"].push_back(detect::ToJson(e));
  }
  HttpResponse r;
  r.body = body.dump();
  return r;
}

}  // namespace memwatch::memwatch_plugin
