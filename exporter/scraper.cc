#include "exporter/scraper.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "collectors/base/log.h"
#include "collectors/base/mutex.h"
#include "collectors/plugin/metrics.h"
#include "exporter/text_format.h"

namespace memwatch {

// Threads are started only when a job finds no idle one free, and then stay: in
// a steady state (one scrape at a time, collectors on time) the pool has as
// many threads as collectors and starts none. A stuck collector keeps its
// thread; the cap bounds how many such threads can pile up, after which jobs
// queue.
class Scraper::Pool : public std::enable_shared_from_this<Pool> {
 public:
  static constexpr int kMaxThreads = 8;

  void Submit(std::function<void()> job) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    jobs_.push_back(std::move(job));
    // Idle threads not yet woken count against the jobs already queued.
    if (static_cast<size_t>(idle_) < jobs_.size() && threads_ < kMaxThreads) {
      ++threads_;
      ++started_;
      // Detached: a collector stuck in a read must not block the exporter's
      // exit; the thread holds the pool alive.
      std::thread([self = shared_from_this()] { self->Work(); }).detach();
    } else {
      cv_.NotifyOne();
    }
  }

  int started() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return started_;
  }

  void Stop() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    stop_ = true;
    cv_.NotifyAll();
  }

 private:
  void Work() EXCLUDES(mu_) {
    mu_.Lock();
    while (true) {
      ++idle_;
      while (!stop_ && jobs_.empty()) cv_.Wait(&mu_);
      --idle_;
      if (jobs_.empty()) break;  // stopping
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      mu_.Unlock();  // the job runs without the pool's lock
      job();
      mu_.Lock();
    }
    --threads_;
    mu_.Unlock();
  }

  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  int threads_ GUARDED_BY(mu_) = 0;
  int idle_ GUARDED_BY(mu_) = 0;
  int started_ GUARDED_BY(mu_) = 0;
  bool stop_ GUARDED_BY(mu_) = false;
};

namespace {

struct Outcome {
  std::vector<prometheus::MetricFamily> families;
  double seconds = 0;
  bool ok = false;
};

// One collector's run, shared by the pool thread and the waiting scrape (which
// may give up on it).
struct Job {
  Mutex mu;
  CondVar cv;
  bool done GUARDED_BY(mu) = false;
  // The scrape gave up waiting: a job still queued then is skipped, so a pool
  // that fell behind catches up instead of running stale work forever.
  bool abandoned GUARDED_BY(mu) = false;
  Outcome outcome GUARDED_BY(mu);
};

Outcome RunOne(const std::string& name, Collector* collector) {
  Outcome o;
  auto start = std::chrono::steady_clock::now();
  try {
    collector->Collect(&o.families);
    o.ok = true;
  } catch (const std::exception& e) {
    LogWarn("collector failed", {{"collector", name}, {"err", e.what()}});
  } catch (...) {
    LogWarn("collector failed", {{"collector", name}, {"err", "unknown"}});
  }
  if (!o.ok) o.families.clear();  // a half-filled scrape would mislead
  o.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return o;
}

}  // namespace

void TuneMallocForLongRunning() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  });
}

Scraper::Scraper(std::vector<NamedCollector>* collectors,
                 std::vector<FixedSource> fixed,
                 std::chrono::milliseconds collector_timeout)
    : collectors_(collectors),
      fixed_(std::move(fixed)),
      collector_timeout_(collector_timeout),
      pool_(std::make_shared<Pool>()) {
  TuneMallocForLongRunning();
}

Scraper::~Scraper() { pool_->Stop(); }

std::vector<prometheus::MetricFamily> Scraper::Scrape() const {
  std::vector<std::shared_ptr<Job>> running;
  running.reserve(collectors_->size());
  for (const NamedCollector& nc : *collectors_) {
    auto job = std::make_shared<Job>();
    running.push_back(job);
    // By value: the job may outlive this scrape and the exporter's vector.
    pool_->Submit([job, name = nc.name, collector = nc.collector] {
      {
        MutexLock lock(&job->mu);
        if (job->abandoned) return;
      }
      Outcome o = RunOne(name, collector.get());
      MutexLock lock(&job->mu);
      job->outcome = std::move(o);
      job->done = true;
      job->cv.NotifyAll();
    });
  }
  std::vector<prometheus::MetricFamily> out;
  auto duration = GaugeFamily("memwatch_scrape_collector_duration_seconds",
                              "Time a collector took in this scrape.");
  auto success =
      GaugeFamily("memwatch_scrape_collector_success",
                  "1 if the collector succeeded in this scrape, else 0.");
  const auto deadline = std::chrono::steady_clock::now() + collector_timeout_;
  for (size_t i = 0; i < running.size(); ++i) {
    Job& job = *running[i];
    const std::string& name = (*collectors_)[i].name;
    Outcome o;
    {
      MutexLock lock(&job.mu);
      while (!job.done && job.cv.WaitUntil(&job.mu, deadline)) {
      }
      if (job.done) {
        o = std::move(job.outcome);
      } else {
        job.abandoned = true;
        o.seconds = std::chrono::duration<double>(collector_timeout_).count();
        LogWarn("collector timed out",
                {{"collector", name},
                 {"timeout_seconds", std::to_string(o.seconds)}});
      }
    }
    AddGauge(&duration, o.seconds, {{"collector", name}});
    AddGauge(&success, o.ok ? 1 : 0, {{"collector", name}});
    for (auto& f : o.families) out.push_back(std::move(f));
  }
  AppendIfNotEmpty(std::move(duration), &out);
  AppendIfNotEmpty(std::move(success), &out);
  for (const auto& source : fixed_) {
    try {
      source(&out);
    } catch (const std::exception& e) {
      LogWarn("exporter metrics failed", {{"err", e.what()}});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.name < b.name;
  });
  return out;
}

int Scraper::ThreadsStarted() const { return pool_->started(); }

std::string Scraper::ScrapeText() const {
  // About 1000 series: below it the families are a few hundred KiB that the
  // next scrape reuses, and a trim would only cost page faults.
  constexpr size_t kTrimAfterBytes = size_t{64} * 1024;
  auto families =
      std::make_shared<std::vector<prometheus::MetricFamily>>(Scrape());
  std::string text = SerializeText(*families);
  // Freeing a node's families and trimming the heap take milliseconds: done
  // on the pool while the response is sent, not before it.
  const bool trim = text.size() > kTrimAfterBytes;
  pool_->Submit([families = std::move(families), trim]() mutable {
    families.reset();
    if (trim) malloc_trim(0);
  });
  return text;
}

std::string SerializeText(
    const std::vector<prometheus::MetricFamily>& families) {
  // Sized like the last body: one allocation instead of a string that
  // doubles (and copies) its way up to megabytes with many targets.
  static std::atomic<size_t> last_size{0};
  std::string out;
  out.reserve(last_size.load(std::memory_order_relaxed) + 4096);
  AppendTextFormat(families, &out);
  last_size.store(out.size(), std::memory_order_relaxed);
  return out;
}

}  // namespace memwatch
