// jvm_histo --pid N [--procfs /proc] [--top 20] [--all] [--timeout 60]
//           [--start-timeout 10] [--save FILE] [--before FILE]
//           [--jcmd 'COMMAND LINE']
//
// Takes a class histogram of a HotSpot JVM over its attach listener (our
// own client, collectors/jvmattach/attach.h) and prints it as JSON:
//   {"pid", "read_seconds", "total": {instances, bytes}, "classes": [...]}
// --save FILE also writes the JVM's histogram text there; --before FILE
// prints memwatch's HeapDiff (by class) of that saved histogram and this one
// instead; --jcmd prints the raw output of any diagnostic command.
// On failure: {"error", "kind", "status"} (status: the HTTP status the API
// would answer) and exit 1; bad flags exit 2. For the integration test, the
// pause benchmark and looking at a JVM by hand.
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "collectors/base/read.h"
#include "collectors/jvmattach/attach.h"

namespace {

namespace ja = memwatch::jvmattach;

struct Args {
  int pid = 0;
  std::string procfs = "/proc";
  size_t top = 20;
  bool all = false;
  double timeout = 60;
  double start_timeout = 10;
  std::string save, before, jcmd;
};

int Usage(const std::string& why) {
  std::cerr << "jvm_histo: " << why
            << "\nusage: jvm_histo --pid N [--procfs /proc] [--top 20] [--all]"
               " [--timeout 60] [--start-timeout 10] [--save FILE]"
               " [--before FILE] [--jcmd LINE]\n";
  return 2;
}

bool ParseArgs(int argc, char** argv, Args* a, std::string* why) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--all") {
      a->all = true;
      continue;
    }
    if (i + 1 >= argc) {
      *why = flag + " needs a value";
      return false;
    }
    std::string v = argv[++i];
    char* end = nullptr;
    if (flag == "--pid") {
      a->pid = static_cast<int>(std::strtol(v.c_str(), &end, 10));
    } else if (flag == "--top") {
      a->top = std::strtoul(v.c_str(), &end, 10);
    } else if (flag == "--timeout") {
      a->timeout = std::strtod(v.c_str(), &end);
    } else if (flag == "--start-timeout") {
      a->start_timeout = std::strtod(v.c_str(), &end);
    } else if (flag == "--procfs" || flag == "--save" || flag == "--before" ||
               flag == "--jcmd") {
      (flag == "--procfs"   ? a->procfs
       : flag == "--save"   ? a->save
       : flag == "--before" ? a->before
                            : a->jcmd) = v;
      continue;
    } else {
      *why = "unknown flag " + flag;
      return false;
    }
    if (end == v.c_str() || *end != '\0') {
      *why = "bad value for " + flag + ": " + v;
      return false;
    }
  }
  if (a->pid <= 0) *why = "--pid N is required";
  return a->pid > 0;
}

int Fail(const ja::AttachError& e) {
  std::cout << nlohmann::json{{"error", e.message},
                              {"kind", ja::ErrorKindName(e.kind)},
                              {"status", ja::HttpStatusOf(e.kind)}}
                   .dump()
            << "\n";
  return 1;
}

nlohmann::json HistogramJson(const ja::ClassHistogram& h, size_t top) {
  nlohmann::json classes = nlohmann::json::array();
  for (size_t i = 0; i < h.classes.size() && i < top; ++i) {
    const auto& c = h.classes[i];
    classes.push_back(
        {{"name", c.name}, {"instances", c.instances}, {"bytes", c.bytes}});
  }
  return {
      {"total", {{"instances", h.total_instances}, {"bytes", h.total_bytes}}},
      {"classes_kept", h.classes.size()},
      {"other_classes", h.other_classes},
      {"classes", classes}};
}

std::optional<ja::ClassHistogram> LoadBefore(const Args& a,
                                             const ja::AttachOptions& o) {
  std::string text, err;
  if (!memwatch::ReadFile(a.before, &text, &err, nullptr, o.max_output_bytes)) {
    std::cerr << "jvm_histo: " << err << "\n";
    return std::nullopt;
  }
  auto h = ja::ParseClassHistogram(text, o.histogram, &err);
  if (!h) std::cerr << "jvm_histo: " << a.before << ": " << err << "\n";
  return h;
}

}  // namespace

namespace {

int Run(int argc, char** argv) {
  Args a;
  std::string why;
  if (!ParseArgs(argc, argv, &a, &why)) return Usage(why);
  ja::AttachOptions o;
  o.timeout_seconds = a.timeout;
  o.listener_start_seconds = a.start_timeout;
  o.live_only = !a.all;
  ja::AttachError error;
  const auto start = std::chrono::steady_clock::now();
  auto output = ja::RunAttachCommand(
      a.procfs, a.pid, "jcmd",
      {a.jcmd.empty() ? ja::HistogramCommand(o.live_only) : a.jcmd}, o, &error);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!output) return Fail(error);
  if (!a.jcmd.empty()) {
    std::cout << *output;
    return 0;
  }
  if (!a.save.empty()) std::ofstream(a.save) << *output;
  std::string err;
  auto histo = ja::ParseClassHistogram(*output, o.histogram, &err);
  if (!histo) return Fail({ja::ErrorKind::kProtocol, err});
  nlohmann::json out;
  if (!a.before.empty()) {
    auto before = LoadBefore(a, o);
    if (!before) return 2;
    out =
        memwatch::diff::ToJson(ja::DiffClassHistograms(*before, *histo, a.top));
    out["by"] = "class";
  } else {
    out = HistogramJson(*histo, a.top);
  }
  out["pid"] = a.pid;
  out["read_seconds"] = seconds;
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // nlohmann, iostreams
    std::cerr << "jvm_histo: " << e.what() << "\n";
    return 1;
  }
}
