#include "collectors/base/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace memwatch {
namespace {

struct Box {
  Mutex mu;
  CondVar cv;
  int value GUARDED_BY(mu) = 0;
};

TEST(MutexTest, WaitSeesTheValueSetByAnotherThread) {
  Box box;
  std::thread setter([&box] {
    MutexLock lock(&box.mu);
    box.value = 42;
    box.cv.NotifyAll();
  });
  {
    MutexLock lock(&box.mu);
    while (box.value == 0) box.cv.Wait(&box.mu);
    EXPECT_EQ(box.value, 42);
  }
  setter.join();
}

TEST(MutexTest, WaitUntilReturnsFalseAfterTheDeadline) {
  Box box;
  MutexLock lock(&box.mu);
  auto deadline = std::chrono::steady_clock::now();
  while (box.value == 0) {
    if (!box.cv.WaitUntil(&box.mu, deadline)) break;
  }
  EXPECT_EQ(box.value, 0);
  // The mutex is still held: unlocking it from here would be undefined, so
  // prove it through a try from another thread instead.
  bool other_got_it = true;
  std::thread probe([&box, &other_got_it] {
    if (box.mu.TryLock()) {
      box.mu.Unlock();
    } else {
      other_got_it = false;
    }
  });
  probe.join();
  EXPECT_FALSE(other_got_it);
}

}  // namespace
}  // namespace memwatch
