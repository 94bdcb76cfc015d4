// Follows the appends to one log file, with bounded memory: survives
// rotation, truncation, a file that appears late or goes away; refuses
// anything but a regular file without blocking. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace memwatch::gclog {

struct TailerOptions {
  size_t max_line = 64 * 1024;          // longer lines are dropped, counted
  size_t max_bytes_per_poll = 4 << 20;  // a burst is read over several polls
  size_t read_chunk = 64 * 1024;        // the fixed read buffer
};

struct TailerStats {
  uint64_t bytes_read = 0;
  uint64_t lines = 0;
  uint64_t long_lines_dropped = 0;
  uint64_t rotations = 0;    // the path named a new file
  uint64_t truncations = 0;  // the file shrank: read again from its start
  uint64_t open_errors = 0;  // polls where the path could not be followed
};

struct PollResult {
  // The file was replaced or truncated: what follows is a new log.
  bool restarted = false;
  // More bytes are waiting (the per-poll cap was reached).
  bool more = false;
  // "" or a one-line reason the path cannot be followed now ("...: No such
  // file or directory", "...: not a regular file").
  std::string error;
};

class Tailer {
 public:
  explicit Tailer(std::string path, TailerOptions options = {});
  ~Tailer();
  Tailer(Tailer&& other) noexcept;
  Tailer& operator=(Tailer&& other) noexcept;
  Tailer(const Tailer&) = delete;
  Tailer& operator=(const Tailer&) = delete;

  // Appends the complete lines (without their '\n') read since the last
  // call. A file that exists at the first poll is followed from its end (its
  // history has no time anchor); a file that appears later, or replaces the
  // followed one, is read from its beginning.
  PollResult Poll(std::vector<std::string>* lines);

  const TailerStats& stats() const { return stats_; }
  const std::string& path() const { return path_; }

 private:
  // Opens path_; "" or the reason it cannot be followed.
  std::string Open(bool from_end);
  void Close();
  // Reads from fd_ up to *budget bytes; false on a read error.
  bool ReadAvailable(size_t* budget, std::vector<std::string>* lines,
                     std::string* error);
  void Consume(const char* data, size_t n, std::vector<std::string>* lines);
  // With no file open: opens it, resuming where a read error left off when
  // it is the same file; false (r->error set) when it cannot be opened.
  bool OpenForPoll(PollResult* r);
  // At the end of the followed file: true when the path names another file
  // now, opened to be read from its start (a rotation); false otherwise.
  bool FollowRotation(std::vector<std::string>* lines, PollResult* r);

  std::string path_;
  TailerOptions options_;
  TailerStats stats_;
  int fd_ = -1;
  bool first_poll_ = true;
  bool had_file_ = false;  // a file was followed before (dev_/ino_ valid)
  uint64_t opened_size_ = 0;
  uint64_t dev_ = 0;
  uint64_t ino_ = 0;
  uint64_t offset_ = 0;
  std::string partial_;      // at most max_line bytes
  bool discarding_ = false;  // inside an over-long line until its '\n'
  std::vector<char> buf_;
};

}  // namespace memwatch::gclog
