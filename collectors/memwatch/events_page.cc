#include "collectors/memwatch/events_page.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "collectors/base/format.h"
#include "collectors/base/html.h"

namespace memwatch::memwatch_plugin {
namespace {

constexpr double kWidth = 640, kHeight = 160, kPad = 6;
constexpr size_t kMaxDetailRows = 20;

const char kStyle[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h2{margin:1.6em 0 .2em}h2 small{color:#666;font-weight:normal}"
    "svg.chart{border:1px solid #ccc;background:#fafafa}"
    ".floor{fill:none;stroke:#2a6fdb;stroke-width:1.5}"
    ".leak{stroke:#d33;stroke-width:1.5}"
    ".verdict{stroke:#e80;stroke-width:3}.axis{fill:#666;font-size:11px}"
    "table{border-collapse:collapse;margin:.4em 0}"
    "td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}"
    "td:first-child,th:first-child{text-align:left}"
    ".grew{color:#b00}.shrank{color:#070}.muted{color:#777}";

std::string UtcTime(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string SignedSize(int64_t bytes) {
  return (bytes > 0 ? "+" : "") + NiceSize(static_cast<double>(bytes));
}

std::string DiffTable(const std::string& title, const detect::LeakDiff& d) {
  std::string out = "<p><b>" + HtmlEscape(title) + "</b> by " +
                    HtmlEscape(d.by) + ", since " + UtcTime(d.since);
  if (!d.error.empty()) {
    return out + ": <span class=\"muted\">no diff: " + HtmlEscape(d.error) +
           "</span></p>";
  }
  out +=
      "</p><table class=\"diff\"><tr><th>what</th><th>size</th>"
      "<th>+</th><th>&minus;</th></tr>";
  size_t rows = 0;
  for (const diff::DiffDetail& row : d.result.details) {
    if (++rows > kMaxDetailRows) break;
    out += "<tr><td>" + HtmlEscape(row.what) + "</td><td class=\"" +
           (row.size_bytes >= 0 ? "grew" : "shrank") + "\">" +
           HtmlEscape(SignedSize(row.size_bytes)) + "</td><td>" +
           std::to_string(row.plus) + "</td><td>" + std::to_string(row.minus) +
           "</td></tr>";
  }
  return out + "</table>";
}

std::string EventSection(const detect::Event& e) {
  nlohmann::json j = detect::ToJson(e);
  const std::string type = j.value("event", "event");
  std::string out = "<h3 id=\"" + HtmlEscape(EventAnchor(e)) + "\">" +
                    HtmlEscape(type) + " at " + UtcTime(e.time) + "</h3><p>";
  if (j.contains("reason") && j["reason"].is_string()) {
    out += HtmlEscape(j["reason"].get<std::string>());
  }
  if (j.contains("growth") && j["growth"].is_number()) {
    out +=
        " &middot; growth " + HtmlEscape(NiceSize(j["growth"].get<double>()));
  }
  out += "</p>";
  if (e.diff) out += DiffTable("What grew", *e.diff);
  if (e.constructor_diff) out += DiffTable("What grew", *e.constructor_diff);
  if (e.class_diff) out += DiffTable("What grew", *e.class_diff);
  return out;
}

std::string SeriesSection(const PageSeries& s, double earliest, double to) {
  std::vector<ChartMark> marks;
  for (const detect::Event& e : s.events) {
    marks.push_back(
        {e.time, e.type == detect::Event::Type::kVerdict ? "verdict" : "leak"});
  }
  // The chart spans what there is to see, at most the window: a target
  // watched for a minute is not a sliver at the right edge.
  double first = to;
  if (!s.floors.empty()) first = std::min(first, s.floors.front().time);
  for (const ChartMark& m : marks) first = std::min(first, m.time);
  const double from = std::max(earliest, first - (to - first) * 0.02 - 1);
  std::string out =
      "<section class=\"target\" id=\"target-" + HtmlEscape(s.name) +
      "\"><h2>" + HtmlEscape(s.name) + " <small>" +
      HtmlEscape(s.runtime.empty() ? "unknown" : s.runtime) +
      " &middot; source " + HtmlEscape(s.source) + "</small></h2>";
  out += FloorChart(s.floors, marks, from, to);
  out += "<p class=\"muted\">last " + HtmlEscape(NiceDelta(to - from)) +
         " to " + UtcTime(to) + "</p>";
  if (s.events.empty()) {
    out += "<p class=\"muted\">No leak event in the buffer.</p>";
  }
  for (const detect::Event& e : s.events) out += EventSection(e);
  return out + "</section>";
}

}  // namespace

std::string EventAnchor(const detect::Event& event) {
  std::string id = "event-";
  for (char c : event.name) {
    id += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
              ? c
              : '_';
  }
  return id + "-" + std::to_string(std::llround(event.time * 1000));
}

std::string FloorChart(const std::vector<FloorPoint>& floors,
                       const std::vector<ChartMark>& marks, double from,
                       double to) {
  std::string out = "<svg class=\"chart\" role=\"img\" width=\"" +
                    Fixed(kWidth) + "\" height=\"" + Fixed(kHeight) +
                    "\" viewBox=\"0 0 " + Fixed(kWidth) + " " + Fixed(kHeight) +
                    "\">";
  double lo = INFINITY, hi = -INFINITY;
  for (const FloorPoint& p : floors) {
    lo = std::min(lo, p.bytes);
    hi = std::max(hi, p.bytes);
  }
  const double span = to > from ? to - from : 1;
  auto x = [&](double t) {
    return kPad + (std::clamp(t, from, to) - from) / span * (kWidth - 2 * kPad);
  };
  if (!floors.empty()) {
    if (hi - lo < 1) hi = lo + 1;  // a flat line sits in the middle
    const double pad = (hi - lo) * 0.1;
    lo = std::max(0.0, lo - pad);
    hi += pad;
    auto y = [&](double b) {
      return kHeight - kPad - (b - lo) / (hi - lo) * (kHeight - 2 * kPad);
    };
    out += "<polyline class=\"floor\" points=\"";
    for (const FloorPoint& p : floors) {
      out += Fixed(x(p.time)) + "," + Fixed(y(p.bytes)) + " ";
    }
    out += "\"/><text class=\"axis\" x=\"8\" y=\"16\">" +
           HtmlEscape(NiceSize(hi)) +
           "</text><text class=\"axis\" x=\"8\" "
           "y=\"" +
           Fixed(kHeight - 10) + "\">" + HtmlEscape(NiceSize(lo)) + "</text>";
  } else {
    out +=
        "<text class=\"axis\" x=\"8\" y=\"20\">no collection seen in the "
        "last hour</text>";
  }
  for (const ChartMark& m : marks) {
    if (m.time < from || m.time > to) continue;
    out += "<line class=\"" + HtmlEscape(m.type) + "\" x1=\"" +
           Fixed(x(m.time)) + "\" x2=\"" + Fixed(x(m.time)) +
           "\" y1=\"0\" y2=\"" + Fixed(kHeight) + "\"><title>" +
           HtmlEscape(m.type) + " at " + UtcTime(m.time) + "</title></line>";
  }
  return out + "</svg>";
}

std::string RenderEventsPage(const PageInput& input) {
  const double from = input.now - input.window_seconds;
  std::string out =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>memwatch_exporter: leak events</title><style>";
  out += kStyle;
  out +=
      "</style></head><body><h1>Leak events</h1><p>Heap floor after each "
      "collection over the last hour (red: memwatch's leak events; orange: "
      "paging verdicts), and what grew. "
      "As of " +
      UtcTime(input.now) +
      ". The same events as JSON: <a href=\"/api/v1/events\">"
      "/api/v1/events</a>.</p>";
  if (input.series.empty()) {
    out += "<p class=\"muted\">No target judged yet.</p>";
  }
  for (const PageSeries& s : input.series) {
    out += SeriesSection(s, from, input.now);
  }
  return out + "</body></html>\n";
}

}  // namespace memwatch::memwatch_plugin
