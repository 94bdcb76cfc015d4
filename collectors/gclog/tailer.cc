#include "collectors/gclog/tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace memwatch::gclog {

Tailer::Tailer(std::string path, TailerOptions options)
    : path_(std::move(path)), options_(options) {
  options_.max_line = std::max<size_t>(options_.max_line, 1);
  options_.read_chunk = std::max<size_t>(options_.read_chunk, 1);
  options_.max_bytes_per_poll =
      std::max<size_t>(options_.max_bytes_per_poll, 1);
}

Tailer::~Tailer() { Close(); }

Tailer::Tailer(Tailer&& other) noexcept { *this = std::move(other); }

Tailer& Tailer::operator=(Tailer&& other) noexcept {
  if (this != &other) {
    Close();
    path_ = std::move(other.path_);
    options_ = other.options_;
    stats_ = other.stats_;
    fd_ = std::exchange(other.fd_, -1);
    first_poll_ = other.first_poll_;
    had_file_ = other.had_file_;
    opened_size_ = other.opened_size_;
    dev_ = other.dev_;
    ino_ = other.ino_;
    offset_ = other.offset_;
    partial_ = std::move(other.partial_);
    discarding_ = other.discarding_;
    buf_ = std::move(other.buf_);
  }
  return *this;
}

void Tailer::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string Tailer::Open(bool from_end) {
  // O_NONBLOCK: opening a FIFO without a writer must not hang the poller.
  int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return path_ + ": " + std::strerror(errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string err = path_ + ": " + std::strerror(errno);
    ::close(fd);
    return err;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return path_ + ": not a regular file";
  }
  fd_ = fd;
  dev_ = static_cast<uint64_t>(st.st_dev);
  ino_ = static_cast<uint64_t>(st.st_ino);
  opened_size_ = static_cast<uint64_t>(st.st_size);
  offset_ = from_end ? opened_size_ : 0;
  partial_.clear();
  discarding_ = false;
  return "";
}

void Tailer::Consume(const char* data, size_t n,
                     std::vector<std::string>* lines) {
  const char* p = data;
  const char* end = data + n;
  while (p < end) {
    const char* nl = static_cast<const char*>(
        std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const size_t len = static_cast<size_t>((nl ? nl : end) - p);
    if (discarding_) {
      if (nl) {
        discarding_ = false;
        ++stats_.long_lines_dropped;
      }
    } else if (partial_.size() + len > options_.max_line) {
      partial_.clear();
      partial_.shrink_to_fit();
      if (nl) {
        ++stats_.long_lines_dropped;
      } else {
        discarding_ = true;
      }
    } else {
      partial_.append(p, len);
      if (nl) {
        lines->push_back(std::move(partial_));
        partial_.clear();
        ++stats_.lines;
      }
    }
    p = nl ? nl + 1 : end;
  }
}

bool Tailer::ReadAvailable(size_t* budget, std::vector<std::string>* lines,
                           std::string* error) {
  if (buf_.size() != options_.read_chunk) buf_.assign(options_.read_chunk, 0);
  while (*budget > 0) {
    const size_t want = std::min(*budget, buf_.size());
    ssize_t n = ::pread(fd_, buf_.data(), want, static_cast<off_t>(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    if (n < 0) {
      *error = path_ + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) return true;  // end of file for now
    offset_ += static_cast<uint64_t>(n);
    *budget -= static_cast<size_t>(n);
    stats_.bytes_read += static_cast<uint64_t>(n);
    Consume(buf_.data(), static_cast<size_t>(n), lines);
  }
  return true;
}

bool Tailer::OpenForPoll(PollResult* r) {
  const bool from_end = first_poll_;
  const bool seen_before = !first_poll_;
  const uint64_t dev = dev_, ino = ino_, offset = offset_;
  const std::string partial = partial_;
  first_poll_ = false;
  r->error = Open(from_end);
  if (!r->error.empty()) {
    ++stats_.open_errors;
    return false;
  }
  if (had_file_ && dev == dev_ && ino == ino_ && offset <= opened_size_) {
    // The same file again (after a read error): go on where we were.
    offset_ = offset;
    partial_ = partial;
  } else {
    // A file that appears after the start (or after the followed one went
    // away) is a new log, read whole.
    r->restarted = seen_before;
  }
  had_file_ = true;
  return true;
}

bool Tailer::FollowRotation(std::vector<std::string>* lines, PollResult* r) {
  struct stat ps;
  if (::stat(path_.c_str(), &ps) != 0) {
    // Gone (deleted, or between rename and re-create): keep the open file,
    // its writer may still append, and look again at the next poll.
    if (errno != ENOENT) r->error = path_ + ": " + std::strerror(errno);
    return false;
  }
  if (static_cast<uint64_t>(ps.st_dev) == dev_ &&
      static_cast<uint64_t>(ps.st_ino) == ino_) {
    return false;
  }
  // Rotated: the old file is read to its end; its unterminated last line
  // will never be finished.
  if (!partial_.empty() && !discarding_) {
    lines->push_back(std::move(partial_));
    ++stats_.lines;
  }
  Close();
  ++stats_.rotations;
  r->restarted = true;
  r->error = Open(false);
  if (!r->error.empty()) {
    ++stats_.open_errors;
    return false;
  }
  return true;
}

PollResult Tailer::Poll(std::vector<std::string>* lines) {
  PollResult r;
  size_t budget = options_.max_bytes_per_poll;
  if (fd_ < 0 && !OpenForPoll(&r)) return r;
  first_poll_ = false;
  // At most a few hops per poll, even if the path flaps between files.
  for (int hop = 0; hop < 4; ++hop) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) {
      r.error = path_ + ": " + std::strerror(errno);
      Close();
      return r;
    }
    if (static_cast<uint64_t>(st.st_size) < offset_) {
      // Truncated in place (copytruncate, or `>` by a new process).
      ++stats_.truncations;
      offset_ = 0;
      partial_.clear();
      discarding_ = false;
      r.restarted = true;
    }
    if (!ReadAvailable(&budget, lines, &r.error)) {
      Close();
      return r;
    }
    if (budget == 0) {
      r.more = offset_ < static_cast<uint64_t>(st.st_size);
      return r;
    }
    if (!FollowRotation(lines, &r)) return r;
  }
  return r;
}

}  // namespace memwatch::gclog
