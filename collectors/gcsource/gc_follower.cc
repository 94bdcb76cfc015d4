#include "collectors/gcsource/gc_follower.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "collectors/base/log.h"

namespace memwatch::gcsource {

using gclog::GcClock;
using gclog::GcLogRecord;
using gclog::ParseStatus;
using gclog::Sequencer;

GcLogFollower::GcLogFollower(GcLogSpec spec, GcLogFollowerOptions options)
    : spec_(std::move(spec)),
      options_(std::move(options)),
      tailer_(spec_.path, options_.tailer),
      joiner_(options_.tailer.max_line),
      sequencer_(options_.restart_tolerance_seconds),
      shared_(std::make_unique<Shared>()) {}

GcLogStats GcLogFollower::stats() const {
  MutexLock lock(&shared_->mu);
  return shared_->stats;
}

void GcLogFollower::Restart(detect::Tracker* tracker, const char* why) {
  anchored_ = false;
  last_floor_.reset();
  tracker->Reset(spec_.name, detect::kSourceGcLog);
  // A log that appears for the first time had no state to reset.
  if (!fed_) return;
  fed_ = false;
  LogInfo("memwatch: gc log restarted; state reset",
          {{"name", spec_.name}, {"path", spec_.path}, {"why", why}});
}

std::vector<std::string> GcLogFollower::ReadLines(detect::Tracker* tracker,
                                                  GcLogStats* delta) {
  std::vector<std::string> lines;
  gclog::PollResult res = tailer_.Poll(&lines);
  if (res.error != last_error_) {
    // Logged once per change: a log file that does not exist yet is normal.
    if (!res.error.empty()) {
      LogWarn("memwatch: gc log unreadable",
              {{"name", spec_.name}, {"error", res.error}});
    }
    last_error_ = res.error;
  }
  if (res.restarted) {
    joiner_.Reset();
    sequencer_.Reset();
    ++delta->restarts;
    Restart(tracker, "file replaced or truncated");
  }
  if (!res.error.empty()) ++delta->read_errors;
  return lines;
}

std::vector<GcLogFollower::Item> GcLogFollower::Parse(
    const std::vector<std::string>& lines, GcLogStats* delta) {
  std::vector<Item> items;
  for (const std::string& line : lines) {
    auto joined = joiner_.Feed(line);
    if (!joined) continue;
    GcLogRecord r;
    ParseStatus st = gclog::ParseJoinedLine(*joined, &r);
    if (st == ParseStatus::kNotGc) continue;
    if (st == ParseStatus::kInvalid) {
      ++delta->invalid;
      continue;
    }
    switch (sequencer_.Next(r)) {
      case Sequencer::Verdict::kDuplicate:
        ++delta->duplicates;
        continue;
      case Sequencer::Verdict::kStale:
        ++delta->stale;
        continue;
      case Sequencer::Verdict::kRestart:
        items.push_back({std::move(r), true});
        break;
      case Sequencer::Verdict::kAccept:
        items.push_back({std::move(r), false});
        break;
      case Sequencer::Verdict::kReplace:
        // Shenandoah's second cleanup of a cycle: the cycle's after-value,
        // if the first was not fed yet (they come milliseconds apart, so
        // almost always in one poll).
        if (!items.empty() && items.back().record.gc_id == r.gc_id) {
          items.back().record = std::move(r);
        } else {
          ++delta->duplicates;
        }
        break;
    }
  }
  return items;
}

double GcLogFollower::TimeOf(double now, const std::vector<Item>& items,
                             size_t i) {
  const GcLogRecord& r = items[i].record;
  if (r.clock == GcClock::kUnix) return r.time;
  if (r.clock != GcClock::kUptime) return now;
  if (!anchored_) {
    double newest = r.time;
    for (size_t k = i + 1; k < items.size() && !items[k].restart; ++k) {
      if (items[k].record.clock == GcClock::kUptime) {
        newest = std::max(newest, items[k].record.time);
      }
    }
    anchor_ = now - newest;
    anchored_ = true;
  }
  return anchor_ + r.time;
}

void GcLogFollower::SkipEqualShenandoahFloor(GcLogRecord* r) {
  // -Xlog:gc prints whole MiB. A heap full of live data runs a Shenandoah
  // cycle every ~100 ms, each holding the leak's growth of that time (64 KiB
  // on the -Xmx256m twin): most print the same after-value as the floor
  // before them, which at this resolution shows neither growth nor a fall.
  // Such a cycle is a collection but no floor, so memwatch's rule sees the
  // MiB steps (JFR's exact values show the growth at every cycle). Only
  // Shenandoah's: the G1 and ZGC references are their logs' own values.
  if (!r->event.heap_after_bytes) return;
  if (r->replaceable && last_floor_ &&
      *last_floor_ == *r->event.heap_after_bytes) {
    r->event.heap_after_bytes.reset();
    return;
  }
  last_floor_ = r->event.heap_after_bytes;
}

std::string GcLogFollower::Feed(double now, std::vector<Item>* items,
                                detect::Tracker* tracker, GcLogStats* delta) {
  std::string format;
  for (size_t i = 0; i < items->size(); ++i) {
    if ((*items)[i].restart) {
      ++delta->restarts;
      Restart(tracker, "log clock or collection number went back");
    }
    GcLogRecord& r = (*items)[i].record;
    r.event.time = TimeOf(now, *items, i);
    SkipEqualShenandoahFloor(&r);
    tracker->OnGc(spec_.name, detect::kSourceGcLog, r.event);
    if (options_.on_event) options_.on_event(spec_.name, r.event);
    ++delta->records;
    fed_ = true;
    format = gclog::GcLogFormatName(r.format);
  }
  return format;
}

void GcLogFollower::Publish(size_t lines, const GcLogStats& delta,
                            const std::string& format) {
  MutexLock lock(&shared_->mu);
  GcLogStats& s = shared_->stats;
  s.lines += lines;
  s.records += delta.records;
  s.invalid += delta.invalid;
  s.duplicates += delta.duplicates;
  s.stale += delta.stale;
  s.restarts += delta.restarts;
  s.read_errors += delta.read_errors;
  s.long_lines_dropped = tailer_.stats().long_lines_dropped + joiner_.dropped();
  s.bytes_read = tailer_.stats().bytes_read;
  if (!format.empty()) s.format = format;
}

void GcLogFollower::Poll(double now, detect::Tracker* tracker) {
  GcLogStats delta;
  const std::vector<std::string> lines = ReadLines(tracker, &delta);
  // First pass: parse and order. Second: anchor and feed, so that a process's
  // uptime is anchored at its newest line in this poll.
  std::vector<Item> items = Parse(lines, &delta);
  const std::string format = Feed(now, &items, tracker, &delta);
  Publish(lines.size(), delta, format);
}

}  // namespace memwatch::gcsource
