#include "collectors/base/html.h"

#include <gtest/gtest.h>

namespace memwatch {
namespace {

TEST(HtmlEscape, EscapesMarkupAndBothQuotes) {
  EXPECT_EQ(HtmlEscape("<script>a&b\"'</script>"),
            "&lt;script&gt;a&amp;b&quot;&#39;&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("plain /metrics"), "plain /metrics");
  EXPECT_EQ(HtmlEscape(""), "");
}

}  // namespace
}  // namespace memwatch
