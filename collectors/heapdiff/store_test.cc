#include "collectors/heapdiff/store.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>

namespace memwatch::heapdiff {
namespace {

double Zero() { return 0; }

TEST(Store, DiffsThisProcessMappingAnonymousMemory) {
  Store store("/proc", {}, Zero);
  HttpResponse started = store.Start(getpid(), "self");
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string id = nlohmann::json::parse(started.body)["id"];
  const size_t size = 8 << 20;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  std::memset(p, 1, size);  // resident
  HttpResponse ended = store.End(id);
  ASSERT_EQ(ended.status, 200) << ended.body;
  nlohmann::json d = nlohmann::json::parse(ended.body);
  int64_t anon = 0;
  for (const auto& detail : d["change"]["details"]) {
    if (detail["what"] == "[anon]") anon = detail["size_bytes"];
  }
  // At least what was mapped, within a page; above it only the test's own
  // churn. Sanitizers shadow the new memory with anonymous mappings of their
  // own (TSan several times its size), so the upper bound holds without them.
  EXPECT_GE(anon, static_cast<int64_t>(size) - 4096);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LE(anon, static_cast<int64_t>(size + (2 << 20)));
#endif
  munmap(p, size);
  EXPECT_EQ(store.End(id).status, 410);
  EXPECT_EQ(store.End("nope").status, 404);
}

TEST(Store, ProcessGoneAndCaps) {
  StoreOptions o;
  o.max_open = 1;
  Store store("/proc", o, Zero);
  EXPECT_EQ(store.Start(999999999, "").status, 404);
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  HttpResponse r = store.Start(child, "child");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store.Start(getpid(), "").status, 429);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(store.End(nlohmann::json::parse(r.body)["id"]).status, 409);
}

}  // namespace
}  // namespace memwatch::heapdiff
