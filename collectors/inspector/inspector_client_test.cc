#include "collectors/inspector/inspector_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "collectors/base/fixtures.h"

namespace memwatch::inspector {
namespace {

std::string InspectorFixture(const std::string& name) {
  return FixturePath("inspector/" + name);
}

TEST(JsonList, DebuggerPath) {
  std::string error;
  EXPECT_EQ(
      DebuggerPathFromJsonList(
          R"([{"id":"u","webSocketDebuggerUrl":"ws://127.0.0.1:9229/u-1"}])",
          &error),
      "/u-1");
  EXPECT_FALSE(DebuggerPathFromJsonList("[]", &error));
  EXPECT_NE(error.find("no target"), std::string::npos);
  EXPECT_FALSE(DebuggerPathFromJsonList("{", &error));
  EXPECT_NE(error.find("not a JSON array"), std::string::npos);
}

TEST(Client, NothingListening) {
  std::string error;
  ClientOptions options;
  options.timeout_seconds = 5;
  // Port 1 on loopback: nothing listens there in a test sandbox.
  EXPECT_FALSE(TakeHeapSnapshot(1, options, &error));
  EXPECT_NE(error.find("cannot GET"), std::string::npos) << error;
}

// A loopback server that accepts connections and then keeps silent: with
// `answer_list`, it answers GET /json/list and completes the WebSocket
// upgrade first (so only the snapshot stream is silent); with
// `die_mid_snapshot` it then sends the first chunk of a snapshot and closes
// the connection, as a Node process killed while it streams one. Stopped and
// its sockets closed by the destructor.
class SilentServer {
 public:
  explicit SilentServer(bool answer_list, bool die_mid_snapshot = false)
      : answer_list_(answer_list), die_mid_snapshot_(die_mid_snapshot) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 ||
        bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
            0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) !=
            0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~SilentServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int fd : accepted_) close(fd);
    if (listen_fd_ >= 0) close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  // Reads one request head (until a blank line); "" if the peer went away.
  std::string ReadHead(int fd) {
    std::string head;
    char c;
    while (!stop_ && head.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      if (recv(fd, &c, 1, 0) != 1) return "";
      head += c;
    }
    return head;
  }
  void Send(int fd, const std::string& s) {
    (void)!send(fd, s.data(), s.size(), MSG_NOSIGNAL);
  }
  void Run() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      accepted_.push_back(fd);  // held open, never answered, until the end
      if (!answer_list_) continue;
      std::string head = ReadHead(fd);
      if (head.rfind("GET /json/list", 0) == 0) {
        const std::string body =
            R"([{"id":"x","webSocketDebuggerUrl":"ws://127.0.0.1:)" +
            std::to_string(port_) + R"(/x"}])";
        Send(fd,
             "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
             "Content-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body);
      } else if (head.rfind("GET /x", 0) == 0) {
        // The accept key of civetweb's fixed client key (RFC 6455 §1.3).
        Send(fd,
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\n"
             "Sec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\n\r\n");
        if (die_mid_snapshot_) {
          // Read the whole takeHeapSnapshot request (a masked frame below
          // 126 bytes: 2 + 4 + payload), which civetweb may write in parts.
          std::string frame;
          char buf[256];
          while (!stop_ &&
                 (frame.size() < 2 || frame.size() < 6 + (frame[1] & 0x7f))) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) break;
            frame.append(buf, static_cast<size_t>(n));
          }
          const std::string msg =
              R"({"method":"HeapProfiler.addHeapSnapshotChunk",)"
              R"("params":{"chunk":"{\"snapshot\":{\"meta\":"}})";
          // One unmasked text frame (FIN, opcode 1), length below 126.
          Send(fd, std::string{'\x81', static_cast<char>(msg.size())} + msg);
          shutdown(fd, SHUT_RDWR);
        }
      }
    }
  }
  bool answer_list_;
  bool die_mid_snapshot_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> accepted_;
  std::thread thread_;
};

// TakeHeapSnapshot on another thread; the test waits for it with a generous
// bound (a hang fails the test instead of blocking it), not a speed check.
std::optional<std::string> SnapshotError(int port,
                                         const ClientOptions& options) {
  auto result = std::async(std::launch::async, [port, options] {
    std::string error;
    auto snap = TakeHeapSnapshot(port, options, &error);
    return snap ? std::string("a snapshot") : error;
  });
  if (result.wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
    ADD_FAILURE() << "TakeHeapSnapshot still running after 120 s";
    std::quick_exit(1);  // the thread cannot be abandoned
  }
  return result.get();
}

TEST(Client, JsonListPeerThatNeverAnswers) {
  SilentServer server(/*answer_list=*/false);
  ASSERT_GT(server.port(), 0);
  ClientOptions options;
  options.http_timeout_seconds = 1;
  auto error = SnapshotError(server.port(), options);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("cannot GET"), std::string::npos) << *error;
  EXPECT_NE(error->find("no answer within 1s"), std::string::npos) << *error;
}

TEST(Client, InspectorSilentAfterTheUpgrade) {
  SilentServer server(/*answer_list=*/true);
  ASSERT_GT(server.port(), 0);
  ClientOptions options;
  options.idle_timeout_seconds = 1;
  auto error = SnapshotError(server.port(), options);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("silent for 1s"), std::string::npos) << *error;
}

TEST(Client, OverallDeadlineWhileTheInspectorIsSilent) {
  SilentServer server(/*answer_list=*/true);
  ASSERT_GT(server.port(), 0);
  ClientOptions options;
  options.timeout_seconds = 1;  // before the idle deadline
  auto error = SnapshotError(server.port(), options);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("no complete heap snapshot within 1s"),
            std::string::npos)
      << *error;
}

TEST(Client, InspectorThatDiesMidSnapshot) {
  SilentServer server(/*answer_list=*/true, /*die_mid_snapshot=*/true);
  ASSERT_GT(server.port(), 0);
  auto error = SnapshotError(server.port(), ClientOptions());
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("closed the connection before the snapshot ended"),
            std::string::npos)
      << *error;
}

TEST(Client, CancelWhileTheInspectorIsSilent) {
  SilentServer server(/*answer_list=*/true);
  ASSERT_GT(server.port(), 0);
  std::atomic<bool> cancel{false};
  ClientOptions options;
  options.cancel = &cancel;  // the deadlines stay far away: only this ends it
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  auto error = SnapshotError(server.port(), options);
  canceller.join();
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "inspector: heap snapshot cancelled");
}

// A real node process with --inspect on a random loopback port.
TEST(Client, SnapshotOfLiveNode) {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node not installed";
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    std::string script = InspectorFixture("inspected.js");
    execlp("node", "node", "--inspect=127.0.0.1:0", script.c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  // "Debugger listening on ws://127.0.0.1:PORT/uuid" on stderr.
  std::string out;
  std::smatch m;
  const std::regex re("ws://127\\.0\\.0\\.1:([0-9]+)/");
  char buf[512];
  while (!std::regex_search(out, m, re) ||
         out.find("ready\n") == std::string::npos) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, n);
  }
  ASSERT_TRUE(std::regex_search(out, m, re)) << out;
  const int port = std::stoi(m[1]);
  std::string error;
  ClientOptions options;
  options.timeout_seconds = 60;
  auto snap = TakeHeapSnapshot(port, options, &error);
  // A second snapshot over a fresh connection works too, here reduced to
  // totals as it streams.
  std::string error2;
  auto totals = TakeConstructorTotals(port, options, &error2);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(fds[0]);
  ASSERT_TRUE(snap) << error;
  ASSERT_TRUE(totals) << error2;
  uint64_t leaky = 0;
  for (const v8heap::Node& n : snap->nodes)
    leaky += snap->groups[n.group] == "LeakyThing";
  EXPECT_GE(leaky, 3000u);
  EXPECT_GT(snap->nodes.size(), 10000u);
  EXPECT_GE(totals->groups["LeakyThing"].count, 3000u);
  EXPECT_GT(totals->count, 10000u);
}

}  // namespace
}  // namespace memwatch::inspector
