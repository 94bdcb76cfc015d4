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

TEST(ListeningInodes6, AnyAndMappedLoopbackReachableAt127001) {
  const std::string text =
      "  sl  local_address                         remote_address           "
      "             st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
      "inode\n"
      // [::]:6060 LISTEN (Go's ":6060")
      "   0: 00000000000000000000000000000000:17AC "
      "00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 501 1 0 100 0 0 10 0\n"
      // [::1]:6060 LISTEN: not reachable at 127.0.0.1
      "   1: 00000000000000000000000001000000:17AC "
      "00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 502 1 0 100 0 0 10 0\n"
      // [::ffff:127.0.0.1]:6060 LISTEN
      "   2: 0000000000000000FFFF00000100007F:17AC "
      "00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 503 1 0 100 0 0 10 0\n"
      // [::ffff:10.0.0.1]:6060 LISTEN: another address
      "   3: 0000000000000000FFFF00000100000A:17AC "
      "00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 504 1 0 100 0 0 10 0\n"
      // [::]:6060 ESTABLISHED, and a short address
      "   4: 00000000000000000000000000000000:17AC "
      "00000000000000000000000000000000:0000 01 00000000:00000000 "
      "00:00000000 00000000     0        0 505 1 0 100 0 0 10 0\n"
      "   5: 0000:17AC 0000:0000 0A 0:0 0:0 0 0 0 506\n";
  EXPECT_EQ(ListeningInodes6(text, 6060), (std::vector<uint64_t>{501, 503}));
  EXPECT_TRUE(ListeningInodes6(text, 6061).empty());
  // A tcp6 line is not a tcp one.
  EXPECT_TRUE(ListeningInodes(text, 6060).empty());
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
