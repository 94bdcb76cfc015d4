// Stats updates and leak events: their JSON form (memwatch's field names, plus
// event/name/source/time), and a bounded buffer served by GET /api/v1/events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "collectors/memwatch/engine.h"
#include "collectors/plugin/http.h"

namespace memwatch {
namespace mw {

// {"event":"stats","name":..,"source":..,"time":t,"num_full_gc":..,
//  "num_inc_gc":..,"heap_compactions":..,"usage_trend":..,"estimated_base":..,
//  "current_base":..,"min":..,"max":..}  (min/max null before the 3rd
//  compaction)
nlohmann::json StatsJson(const std::string& name, const std::string& source,
                         double time, const Stats& s);

// {"event":"leak","name":..,"source":..,"time":end,"start":..,"end":..,
//  "growth":..,"reason":".."}
nlohmann::json LeakJson(const std::string& name, const std::string& source,
                        const LeakEvent& e);

// Keeps the last `capacity` leak events and, apart, the last `capacity` stats
// updates, so frequent stats lines never push leak events out. Thread-safe.
class EventBuffer {
 public:
  explicit EventBuffer(size_t capacity) : capacity_(capacity) {}

  // `event` is a StatsJson/LeakJson object.
  void Add(nlohmann::json event);

  // Events with the given name ("" = any), type ("" = any) and time >= since,
  // oldest first (by time).
  std::vector<nlohmann::json> Query(const std::string& name,
                                    const std::string& type,
                                    double since) const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<nlohmann::json> leaks_;
  std::deque<nlohmann::json> stats_;
};

// GET /api/v1/events[?name=N][&since=UNIX_SECONDS][&type=leak|stats]:
// {"events":[...]}; 400 on an unknown parameter or a bad value.
HttpResponse HandleEvents(const EventBuffer& buffer, const HttpRequest& req);

}  // namespace mw
}  // namespace memwatch
