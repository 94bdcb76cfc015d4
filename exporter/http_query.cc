// The request-text helpers of http_server.h: query strings and UTF-8.
#include <civetweb.h>

#include <map>
#include <string>

#include "exporter/http_server.h"

namespace memwatch {
namespace {

std::string UrlDecode(const std::string& s) {
  std::string out(s.size() + 1, '\0');
  int n =
      mg_url_decode(s.c_str(), static_cast<int>(s.size()), out.data(),
                    static_cast<int>(out.size()), /*is_form_url_encoded=*/1);
  out.resize(n < 0 ? 0 : n);
  return out;
}

}  // namespace

std::map<std::string, std::string> ParseQueryString(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = UrlDecode(part.substr(0, eq));
      std::string val =
          eq == std::string::npos ? "" : UrlDecode(part.substr(eq + 1));
      out[key] = val;
    }
    pos = amp + 1;
  }
  return out;
}

bool IsValidUtf8(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace memwatch
