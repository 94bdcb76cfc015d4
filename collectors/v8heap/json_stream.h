// RapidJSON plumbing for the streaming snapshot walk (snapshot_json.cc):
// an input stream that pulls fixed-size chunks, and a scratch allocator with
// a cap. Internal to //collectors/v8heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#include "collectors/v8heap/heap_snapshot.h"

namespace memwatch::v8heap::internal {

// Thrown by CappedAllocator: a token or nesting past Limits::max_token_bytes.
struct TokenTooBig {};

// RapidJSON's scratch stack (one string being decoded, or the iterative
// parser's nesting state) through this allocator cannot grow past `cap`:
// unwinding out of Stack::Expand leaves the stack intact for its destructor.
class CappedAllocator {
 public:
  static const bool kNeedFree = true;
  CappedAllocator() = default;
  explicit CappedAllocator(size_t cap) : cap_(cap) {}
  void* Malloc(size_t size) { return Realloc(nullptr, 0, size); }
  void* Realloc(void* p, size_t, size_t size) {
    if (size == 0) {
      std::free(p);
      return nullptr;
    }
    if (size > cap_) throw TokenTooBig{};
    void* q = std::realloc(p, size);
    if (q == nullptr) throw std::bad_alloc();
    return q;
  }
  static void Free(void* p) { std::free(p); }

 private:
  size_t cap_ = 1u << 20;
};

// RapidJSON input stream pulling fixed-size chunks, so the document is never
// held whole; stops (reads as end of input) past max_input_bytes.
class PullStream {
 public:
  typedef char Ch;
  PullStream(const ReadFn& read, uint64_t max_bytes)
      : read_(read), max_bytes_(max_bytes), buf_(new char[kChunk]) {
    Fill();
  }
  Ch Peek() const { return pos_ < len_ ? buf_[pos_] : '\0'; }
  Ch Take() {
    if (pos_ >= len_) return '\0';
    Ch c = buf_[pos_++];
    if (pos_ == len_) Fill();
    return c;
  }
  size_t Tell() const { return static_cast<size_t>(consumed_ + pos_); }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }
  bool too_big() const { return too_big_; }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  void Fill() {
    consumed_ += len_;
    pos_ = len_ = 0;
    if (done_) return;
    size_t n = read_(buf_.get(), kChunk);
    if (n == 0) {
      done_ = true;
      return;
    }
    if (n > kChunk) n = kChunk;
    if (consumed_ + n > max_bytes_) {
      too_big_ = done_ = true;
      return;
    }
    len_ = n;
  }
  const ReadFn& read_;
  uint64_t max_bytes_;
  std::unique_ptr<char[]> buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t consumed_ = 0;
  bool done_ = false, too_big_ = false;
};

}  // namespace memwatch::v8heap::internal
