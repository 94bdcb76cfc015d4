#pragma once

#include <string>
#include <vector>

namespace memwatch {

struct LandingPageInfo {
  std::string version;
  std::string revision;
  std::string telemetry_path;
  std::vector<std::string> collectors;  // enabled ones
  std::vector<std::string> api_paths;   // routes the collectors serve
};

// The small HTML page served at "/".
std::string LandingPage(const LandingPageInfo& info);

}  // namespace memwatch
