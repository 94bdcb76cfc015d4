#include "collectors/heapdiff/stack_diffs.h"

#include <nlohmann/json.hpp>

namespace memwatch::heapdiff {
namespace {

HttpResponse NativeError(const nativeheap::Error& error) {
  return HttpResponse{nativeheap::HttpStatus(error.kind), "application/json",
                      nativeheap::ErrorJson(error).dump() + "\n"};
}

// "sample_every=N": trace 1 in N allocations (1..65536).
bool ParseSampleEvery(const HttpRequest& request, uint32_t* out,
                      std::string* error) {
  auto it = request.query.find("sample_every");
  if (it == request.query.end()) return true;
  const std::string& v = it->second;
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 1 || n > 65536) {
    *error = "sample_every must be between 1 and 65536";
    return false;
  }
  *out = static_cast<uint32_t>(n);
  return true;
}

}  // namespace

StackDiffs::StackDiffs(std::string procfs_root, bool enabled,
                       double max_window_seconds, Clock clock)
    : procfs_root_(std::move(procfs_root)),
      enabled_(enabled),
      sessions_("stack-", 2, max_window_seconds, std::move(clock)) {}

bool StackDiffs::Owns(const std::string& id) const {
  return sessions_.Owns(id);
}

HttpResponse StackDiffs::Start(const DiffTarget& target,
                               const HttpRequest& request) {
  if (!enabled_) {
    return JsonError(409,
                     "by=stack is off: it traces the process's allocations "
                     "with eBPF (start the exporter with "
                     "--heapdiff.native-stacks; docs/heapdiff.md)");
  }
  nativeheap::TraceOptions options;
  std::string why;
  if (!ParseSampleEvery(request, &options.bpf.sample_every, &why)) {
    return JsonError(400, why);
  }
  if (!sessions_.HasRoom()) {
    return JsonError(429, "too many open by=stack heap diffs");
  }
  nativeheap::Error error;
  std::shared_ptr<nativeheap::Session> session = nativeheap::Session::Start(
      procfs_root_, target.pid, options, &gate_, &error);
  if (!session) return NativeError(error);
  auto id = sessions_.Add(session);
  if (!id) return JsonError(429, "too many open by=stack heap diffs");
  nlohmann::json body = {{"id", *id},
                         {"pid", target.pid},
                         {"sample_every", options.bpf.sample_every}};
  if (!target.name.empty()) body["name"] = target.name;
  return HttpResponse{200, "application/json", body.dump()};
}

HttpResponse StackDiffs::End(const std::string& id) {
  HttpResponse refused;
  auto taken = sessions_.Take(id, &refused);
  if (!taken) return refused;
  nativeheap::Error error;
  auto result = taken->first->End(&cancel_, &error);
  if (!result) return NativeError(error);
  return HttpResponse{200, "application/json",
                      nativeheap::ToJson(*result).dump()};
}

}  // namespace memwatch::heapdiff
