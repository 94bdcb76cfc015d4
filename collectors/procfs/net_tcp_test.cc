#include "collectors/procfs/net_tcp.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "collectors/base/fixtures.h"

namespace memwatch::procfs {
namespace {

// /proc/<pid>/net/tcp as the kernel writes it.
// /proc/<pid>/net/tcp as the kernel writes it, plus two malformed lines.
std::string NetTcp() {
  std::ifstream in(FixturePath("proc/100/net/tcp"));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ListeningInodes, LoopbackOrAnyAddressInListenStateOnly) {
  // 4711: 127.0.0.1:9229 LISTEN. 4713 is an established connection to it,
  // 4714 listens on 10.0.2.15, not on loopback.
  const std::string text = NetTcp();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(ListeningInodes(text, 9229), std::vector<uint64_t>{4711});
  EXPECT_EQ(ListeningInodes(text, 8080), std::vector<uint64_t>{4712});
  EXPECT_TRUE(ListeningInodes(text, 9230).empty());
  EXPECT_TRUE(ListeningInodes("", 9229).empty());
}

TEST(SocketInode, OnlySocketLinks) {
  EXPECT_EQ(SocketInode("socket:[4711]"), 4711u);
  EXPECT_FALSE(SocketInode("socket:[]"));
  EXPECT_FALSE(SocketInode("socket:[12x]"));
  EXPECT_FALSE(SocketInode("socket:[12"));
  EXPECT_FALSE(SocketInode("pipe:[4711]"));
  EXPECT_FALSE(SocketInode("/dev/null"));
  EXPECT_FALSE(SocketInode(""));
}

}  // namespace
}  // namespace memwatch::procfs
