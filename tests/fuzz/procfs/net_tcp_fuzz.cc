// Fuzzes the /proc/<pid>/net/tcp parser and the fd socket-link parser: any
// bytes, no crash, no hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/procfs/net_tcp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)memwatch::procfs::ListeningInodes(text, 9229);
  (void)memwatch::procfs::ListeningInodes6(text, 9229);
  (void)memwatch::procfs::SocketInode(text);
  return 0;
}
