#include "collectors/procfs/net_tcp.h"

#include <gtest/gtest.h>

namespace memwatch::procfs {
namespace {

// /proc/<pid>/net/tcp as the kernel writes it.
const char kNetTcp[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
    "retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:240D 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000  1000        0 4711 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000     0        0 4712 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0100007F:240D 0100007F:D2F0 01 00000000:00000000 00:00000000 "
    "00000000  1000        0 4713 1 0000000000000000 20 4 30 10 -1\n"
    "   3: 0A00020F:240D 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000  1000        0 4714 1 0000000000000000 100 0 0 10 0\n"
    "   4: garbage\n"
    "   5: 0100007F:XYZ 00000000:0000 0A 0 0 0 0 0 4715\n";

TEST(ListeningInodes, LoopbackOrAnyAddressInListenStateOnly) {
  // 4711: 127.0.0.1:9229 LISTEN. 4713 is an established connection to it,
  // 4714 listens on 10.0.2.15, not on loopback.
  EXPECT_EQ(ListeningInodes(kNetTcp, 9229), std::vector<uint64_t>{4711});
  EXPECT_EQ(ListeningInodes(kNetTcp, 8080), std::vector<uint64_t>{4712});
  EXPECT_TRUE(ListeningInodes(kNetTcp, 9230).empty());
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
