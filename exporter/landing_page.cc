#include "exporter/landing_page.h"

#include <sstream>

#include "collectors/base/html.h"

namespace memwatch {
namespace {

std::string Link(const std::string& path) {
  return "<li><a href=\"" + HtmlEscape(path) + "\">" + HtmlEscape(path) +
         "</a></li>\n";
}

}  // namespace

std::string LandingPage(const LandingPageInfo& info) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
       "<title>memwatch_exporter</title></head>\n<body>\n"
       "<h1>memwatch_exporter</h1>\n"
       "<p>Process usage, GC statistics and leak events of other processes, "
       "for Prometheus.</p>\n"
    << "<p>Version " << HtmlEscape(info.version) << " (revision "
    << HtmlEscape(info.revision) << ")</p>\n<h2>Endpoints</h2>\n<ul>\n"
    << Link(info.telemetry_path) << Link("/-/healthy") << Link("/-/ready");
  for (const auto& p : info.api_paths) o << Link(p);
  o << "</ul>\n<h2>Enabled collectors</h2>\n<ul>\n";
  for (const auto& c : info.collectors)
    o << "<li>" << HtmlEscape(c) << "</li>\n";
  if (info.collectors.empty()) o << "<li>(none)</li>\n";
  o << "</ul>\n</body></html>\n";
  return o.str();
}

}  // namespace memwatch
