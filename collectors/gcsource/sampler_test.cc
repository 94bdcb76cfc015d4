#include "collectors/gcsource/sampler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace memwatch::gcsource {
namespace {

TEST(SamplerTest, SamplesOnItsOwnAndStopsPromptly) {
  std::mutex mu;
  std::condition_variable cv;
  int batches = 0;
  Sampler s(
      3600,  // one sample at start, then a long wait that Stop() must cut short
      [&](double t) {
        EXPECT_EQ(t, 42);
        std::lock_guard<std::mutex> lock(mu);
        ++batches;
        cv.notify_all();
      },
      [] { return 42.0; });
  s.Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30),
                            [&] { return batches >= 1; }));
  }
  const auto before = std::chrono::steady_clock::now();
  s.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  EXPECT_EQ(batches, 1);
}

TEST(SamplerTest, RepeatsAtTheInterval) {
  std::atomic<int> batches{0};
  Sampler s(0.01, [&](double) {
    if (++batches == 2) throw std::runtime_error("one bad tick");
  });
  s.Start();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (batches < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s.Stop();
  EXPECT_GE(batches.load(), 5);  // a throwing tick does not end sampling
  EXPECT_EQ(s.errors(), 1u);
}

}  // namespace
}  // namespace memwatch::gcsource
