// GET /events: what the memwatch collector saw, as a page an operator can read
// without JavaScript or outside assets: per target its runtime and source, a
// chart of its heap floor over the last hour with leak events marked, and
// each event with its diffs as tables, largest growers first. Pure: the
// collector hands it what to show.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collectors/detect/events.h"
#include "collectors/memwatch/floor_history.h"

namespace memwatch::memwatch_plugin {

struct PageSeries {
  std::string name;
  std::string source;
  std::string runtime;                // "" when unknown
  std::vector<FloorPoint> floors;     // oldest first
  std::vector<detect::Event> events;  // leak (and other non-stats) events
};

struct PageInput {
  double now = 0;                // Unix seconds
  double window_seconds = 3600;  // the chart's span
  std::vector<PageSeries> series;
};

std::string RenderEventsPage(const PageInput& input);

// Pieces, exposed for tests.
// An event drawn on the chart: when, and its type ("leak", "verdict"),
// which is its CSS class.
struct ChartMark {
  double time = 0;
  std::string type;
};

// An inline SVG chart of `floors` between from and to, with a marker at each
// of `marks` inside that span.
std::string FloorChart(const std::vector<FloorPoint>& floors,
                       const std::vector<ChartMark>& marks, double from,
                       double to);
// The id of an event's section ("event-<name>-<time in ms>"), for links
// from alerts: /events?name=<name>#<id>.
std::string EventAnchor(const detect::Event& event);

}  // namespace memwatch::memwatch_plugin
