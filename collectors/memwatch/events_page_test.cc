#include "collectors/memwatch/events_page.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace memwatch::memwatch_plugin {
namespace {

detect::Event Leak(const std::string& name, double end) {
  detect::LeakEvent e{
      end - 50, end, 5e6,
      "heap growth over 5 consecutive GCs (50s) - 343.32 mb/hr"};
  return detect::MakeLeakEvent(name, "synthetic", e);
}

TEST(EventsPage, EscapesWhatProcessesChoose) {
  PageInput in;
  in.now = 1e9;
  PageSeries s;
  s.name = "<img src=x onerror=alert(1)>";
  s.source = "synthetic";
  in.series.push_back(s);
  std::string html = RenderEventsPage(in);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x"), std::string::npos);
}

TEST(EventsPage, ChartHasOnePointPerFloorAndMarksLeaks) {
  std::vector<FloorPoint> floors = {{100, 10e6}, {200, 11e6}, {300, 12e6}};
  std::string svg = FloorChart(
      floors, {{250, "leak"}, {5000, "leak"}, {300, "verdict"}}, 0, 400);
  const auto pts = svg.find("points=\"");
  ASSERT_NE(pts, std::string::npos);
  const std::string points =
      svg.substr(pts + 8, svg.find('"', pts + 8) - pts - 8);
  EXPECT_EQ(std::count(points.begin(), points.end(), ','), 3);
  // The mark inside the span is drawn, the one outside is not.
  size_t marks = 0;
  for (size_t p = svg.find("class=\"leak\""); p != std::string::npos;
       p = svg.find("class=\"leak\"", p + 1)) {
    ++marks;
  }
  EXPECT_EQ(marks, 1u);
  EXPECT_NE(svg.find("class=\"verdict\""), std::string::npos);
  // Higher floors are drawn higher (smaller y): 10, 11, 12 MB rise.
  std::vector<double> ys;
  for (size_t c = points.find(','); c != std::string::npos;
       c = points.find(',', c + 1)) {
    ys.push_back(std::stod(points.substr(c + 1)));
  }
  ASSERT_EQ(ys.size(), 3u);
  EXPECT_GT(ys[0], ys[1]);
  EXPECT_GT(ys[1], ys[2]);
  EXPECT_NE(FloorChart({}, {}, 0, 1).find("no collection"), std::string::npos);
}

TEST(EventsPage, DiffTablesLargestFirstWithAnchors) {
  PageInput in;
  in.now = 1000;
  PageSeries s;
  s.name = "api/pod-1/app";
  s.source = "synthetic";
  s.runtime = "node";
  s.floors = {{900, 1e6}, {950, 2e6}};
  detect::Event e = Leak(s.name, 960);
  auto d = std::make_shared<detect::LeakDiff>();
  d->since = 910;
  d->result.details = {{"[heap]", 8 << 20, 3, 0, std::nullopt},
                       {"libfoo.so", -4096, 0, 1, std::nullopt}};
  e.diff = d;
  s.events.push_back(e);
  in.series.push_back(s);
  std::string html = RenderEventsPage(in);
  EXPECT_NE(html.find("api/pod-1/app"), std::string::npos);
  EXPECT_NE(html.find("node"), std::string::npos);
  EXPECT_NE(html.find("id=\"" + EventAnchor(e) + "\""), std::string::npos);
  EXPECT_EQ(EventAnchor(e), "event-api_pod-1_app-960000");
  const size_t heap = html.find("[heap]"), lib = html.find("libfoo.so");
  ASSERT_NE(heap, std::string::npos);
  ASSERT_NE(lib, std::string::npos);
  EXPECT_LT(heap, lib);
  EXPECT_NE(html.find("+8 mb"), std::string::npos);
  EXPECT_NE(html.find("343.32 mb/hr"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // no JavaScript
}

TEST(EventsPage, DiffErrorIsShownNotHidden) {
  PageInput in;
  in.now = 1000;
  PageSeries s;
  s.name = "t";
  s.source = "gc_log";
  detect::Event e = Leak("t", 990);
  auto d = std::make_shared<detect::LeakDiff>();
  d->error = "the target has more than 64 processes";
  e.diff = d;
  s.events.push_back(e);
  in.series.push_back(s);
  EXPECT_NE(RenderEventsPage(in).find("no diff: the target has more than 64"),
            std::string::npos);
}

TEST(FloorHistory, WindowThinningAndForgetting) {
  FloorHistory h(/*window_seconds=*/100, /*max_points=*/10);
  for (int t = 0; t < 50; ++t) h.Add("a", "synthetic", {double(t), double(t)});
  auto recent = h.Recent(49);
  ASSERT_EQ(recent.size(), 1u);
  const auto& pts = recent.begin()->second;
  EXPECT_LE(pts.size(), 10u);
  EXPECT_EQ(pts.back().time, 49);  // the newest is always kept
  EXPECT_TRUE(std::is_sorted(pts.begin(), pts.end(),
                             [](const FloorPoint& x, const FloorPoint& y) {
                               return x.time < y.time;
                             }));
  EXPECT_TRUE(h.Recent(1000).empty());  // gone for a whole window
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
