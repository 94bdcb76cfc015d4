// Small helpers shared by the parsers (internal to //collectors/procfs).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace memwatch::procfs::internal {

// Splits on runs of spaces/tabs/newlines; no empty tokens.
std::vector<std::string_view> SplitWhitespace(std::string_view s);

// Pieces between separators; a trailing separator adds no empty piece.
std::vector<std::string_view> Split(std::string_view s, char sep);

// Splits into lines (without '\n'); a trailing newline yields no empty line.
std::vector<std::string_view> SplitLines(std::string_view s);

std::string_view Trim(std::string_view s);

// Whether a comma-separated controller list ("cpu,cpuacct", "memory") of
// /proc/<pid>/cgroup names `controller`.
bool HasController(std::string_view list, std::string_view controller);

// The lines of s like SplitLines, without building a vector:
//   for (std::string_view line : Lines(text)) ...
class Lines {
 public:
  explicit Lines(std::string_view s) : s_(s) {}
  class iterator {
   public:
    iterator(std::string_view rest, bool end) : rest_(rest), end_(end) {
      Next();
    }
    std::string_view operator*() const { return line_; }
    iterator& operator++() {
      Next();
      return *this;
    }
    bool operator!=(const iterator& o) const { return end_ != o.end_; }

   private:
    void Next() {
      if (rest_.empty()) {
        end_ = true;
        return;
      }
      size_t nl = rest_.find('\n');
      if (nl == std::string_view::npos) {
        line_ = rest_;
        rest_ = {};
      } else {
        line_ = rest_.substr(0, nl);
        rest_.remove_prefix(nl + 1);
      }
    }
    std::string_view rest_;
    std::string_view line_;
    bool end_;
  };
  iterator begin() const { return iterator(s_, false); }
  iterator end() const { return iterator({}, true); }

 private:
  std::string_view s_;
};

// Next whitespace-separated token of *s, removed from *s with the spaces
// before it; empty when none is left.
std::string_view NextToken(std::string_view* s);

// Whole-string decimal parses; nullopt on anything else (sign, junk, overflow).
std::optional<uint64_t> ParseU64(std::string_view s);
std::optional<int64_t> ParseI64(std::string_view s);
// A decimal number such as "12345.67" (uptime); nullopt on junk.
std::optional<double> ParseDouble(std::string_view s);

}  // namespace memwatch::procfs::internal
