#include "collectors/targets/regex_check.h"

#include <vector>

namespace memwatch::targets::internal {
namespace {
bool IsQuantifier(char c) { return c == '*' || c == '+' || c == '?'; }
}  // namespace

std::optional<size_t> FindRegexErrorOffset(const std::string& re) {
  std::vector<size_t> open_parens;
  bool can_quantify = false;  // is there an atom before this position?
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      if (i + 1 == re.size()) return i;  // trailing backslash
      ++i;
      can_quantify = true;
      continue;
    }
    if (c == '[') {
      size_t start = i++;
      if (i < re.size() && re[i] == '^') ++i;
      if (i < re.size() && re[i] == ']') ++i;  // literal ']' first
      while (i < re.size() && re[i] != ']') {
        if (re[i] == '\\') ++i;
        ++i;
      }
      if (i >= re.size()) return start;  // unclosed [
      can_quantify = true;
      continue;
    }
    if (c == '(') {
      open_parens.push_back(i);
      if (i + 1 < re.size() && re[i + 1] == '?') ++i;  // (?: (?= (?!
      if (i + 1 < re.size() &&
          (re[i + 1] == ':' || re[i + 1] == '=' || re[i + 1] == '!') &&
          re[i] == '?') {
        ++i;
      }
      can_quantify = false;
      continue;
    }
    if (c == ')') {
      if (open_parens.empty()) return i;
      open_parens.pop_back();
      can_quantify = true;
      continue;
    }
    if (c == '|') {
      can_quantify = false;
      continue;
    }
    if (IsQuantifier(c)) {
      if (!can_quantify) return i;
      // A lazy '?' after a quantifier is fine; a third one is not.
      if (i + 1 < re.size() && re[i + 1] == '?') ++i;
      can_quantify = false;
      continue;
    }
    if (c == '{') {
      size_t close = re.find('}', i);
      if (close == std::string::npos) return i;
      if (!can_quantify) return i;
      i = close;
      can_quantify = false;
      continue;
    }
    can_quantify = c != '^';
  }
  if (!open_parens.empty()) return open_parens.back();
  return std::nullopt;
}

bool CompileRegex(const std::string& re, std::shared_ptr<const RE2>* out,
                  std::string* reason, std::optional<size_t>* offset) {
  RE2::Options options;
  options.set_log_errors(false);  // the caller reports the error once
  auto compiled = std::make_shared<const RE2>(re, options);
  if (compiled->ok()) {
    *out = std::move(compiled);
    return true;
  }
  *reason = compiled->error();
  *offset = FindRegexErrorOffset(re);
  const std::string& arg = compiled->error_arg();
  if (!*offset && !arg.empty() && arg != re) {
    size_t at = re.find(arg);
    if (at != std::string::npos) *offset = at;
  }
  return false;
}

}  // namespace memwatch::targets::internal
