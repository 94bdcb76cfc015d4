#include "collectors/jvmattach/fake_jvm.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace memwatch::jvmattach::testing {
namespace {

using std::string_literals::operator""s;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string StatusText(uint32_t uid, uint32_t gid, bool sigquit) {
  return "Name:\tjava\nPid:\t" + std::to_string(kPid) + "\nUid:\t" +
         std::to_string(uid) + "\t" + std::to_string(uid) + "\t0\t0\nGid:\t" +
         std::to_string(gid) + "\t" + std::to_string(gid) + "\t0\t0\nNSpid:\t" +
         std::to_string(kPid) + "\t" + std::to_string(kNsPid) + "\nSigCgt:\t" +
         (sigquit ? "0000000101005ccd" : "0000000101005cc9") + "\n";
}

// Runs in the attach's child process: a write(2) only.
int SendQuitToPipe(int, int, void* arg) {
  int fd = *static_cast<int*>(arg);
  return write(fd, "q", 1) == 1 ? 0 : errno;
}

void WaitReadable(int fd, const std::atomic<bool>& stop) {
  struct pollfd p = {fd, POLLIN, 0};
  while (!stop && poll(&p, 1, 20) == 0) {
  }
}

}  // namespace

const char* const kHisto =
    " num     #instances         #bytes  class name (module)\n"
    "-------------------------------------------------------\n"
    "   1:          6000         384000  ClassLeak$LeakedWidget\n"
    "   2:          7296         344336  [B (java.base@17.0.15)\n"
    "Total         13296         728336\n";

FakeJvm::FakeJvm(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");  // set by bazel test
  dir = std::string(base != nullptr ? base : ".") + "/" + name;
  proc = dir + "/proc";
  procdir = proc + "/" + std::to_string(kPid);
  tmp = dir + "/rootfs/tmp";
  cwd = dir + "/cwd";
  for (const std::string& d : {dir, proc, procdir, dir + "/rootfs", tmp, cwd}) {
    mkdir(d.c_str(), 0755);
  }
  chmod(tmp.c_str(), 01777);
  EXPECT_EQ(symlink((dir + "/rootfs").c_str(), (procdir + "/root").c_str()), 0);
  EXPECT_EQ(symlink(cwd.c_str(), (procdir + "/cwd").c_str()), 0);
  SetStatus(geteuid(), getegid(), true);
  SetState('S');
  SetMaps("7f00-7f10 r-xp 0 08:01 1 /usr/lib/jvm/lib/server/libjvm.so\n");
  SetCmdline("java\0-Xmx64m\0Main\0"s);
  EXPECT_EQ(pipe2(quit_pipe_, O_CLOEXEC | O_NONBLOCK), 0);
  options.send_quit = SendQuitToPipe;
  options.send_quit_arg = &quit_pipe_[1];
  options.timeout_seconds = 5;
  options.listener_start_seconds = 2;
}

FakeJvm::~FakeJvm() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  close(quit_pipe_[0]);
  close(quit_pipe_[1]);
}

void FakeJvm::SetStatus(uint32_t uid, uint32_t gid, bool sigquit) {
  uid_ = uid;
  WriteFile(procdir + "/status", StatusText(uid, gid, sigquit));
}

void FakeJvm::SetState(char state) {
  WriteFile(procdir + "/stat", std::to_string(kPid) + " (java) " +
                                   std::string(1, state) + " 1 1 1\n");
}

void FakeJvm::SetMaps(const std::string& maps) {
  WriteFile(procdir + "/maps", maps);
}

void FakeJvm::SetCmdline(const std::string& c) {
  WriteFile(procdir + "/cmdline", c);
}

// By a relative path: $TEST_TMPDIR may be longer than sun_path. As HotSpot
// does, the socket gets its mode and owner under a temporary name and is
// renamed into place: the attacher polls for the path and must never see it
// half set up.
void FakeJvm::Listen(mode_t mode) {
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), ".java_pid%d.tmp", kNsPid);
  int saved = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_EQ(chdir(tmp.c_str()), 0);
  ASSERT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)),
            0);
  ASSERT_EQ(fchdir(saved), 0);
  close(saved);
  ASSERT_EQ(listen(listen_fd_, 5), 0);
  const std::string path = SocketPath();
  const std::string staged = path + ".tmp";
  chmod(staged.c_str(), mode);
  if (uid_ != geteuid()) {
    ASSERT_EQ(chown(staged.c_str(), uid_, uid_), 0);
  }
  ASSERT_EQ(rename(staged.c_str(), path.c_str()), 0);
}

void FakeJvm::Serve(Mode mode, const std::string& reply, bool on_quit) {
  if (!on_quit) Listen();
  thread_ = std::thread([this, mode, reply, on_quit] {
    if (on_quit && !AwaitQuit()) return;
    ServeOne(mode, reply);
  });
}

void FakeJvm::Join() {
  if (thread_.joinable()) thread_.join();
}

AttachError FakeJvm::Fail() {
  AttachError e;
  EXPECT_FALSE(TakeClassHistogram(proc, kPid, options, &e).has_value());
  return e;
}

int FakeJvm::Quits() {
  char buf[16];
  ssize_t n = read(quit_pipe_[0], buf, sizeof(buf));
  return n > 0 ? static_cast<int>(n) : 0;
}

std::string FakeJvm::SocketPath() const {
  return tmp + "/.java_pid" + std::to_string(kNsPid);
}

std::string FakeJvm::TriggerIn(const std::string& d) const {
  return d + "/.attach_pid" + std::to_string(kNsPid);
}

bool FakeJvm::AwaitQuit() {
  WaitReadable(quit_pipe_[0], stop_);
  if (stop_) return false;
  struct stat st;
  if (stat(TriggerIn(cwd).c_str(), &st) == 0) {
    trigger_found_in = "cwd";
  } else if (stat(TriggerIn(tmp).c_str(), &st) == 0) {
    trigger_found_in = "tmp";
  }
  Listen();
  return true;
}

void FakeJvm::ServeOne(Mode mode, const std::string& reply) {
  WaitReadable(listen_fd_, stop_);
  if (stop_) return;
  int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  socklen_t len = sizeof(peer);
  getsockopt(c, SOL_SOCKET, SO_PEERCRED, &peer, &len);
  if (mode == Mode::kClose) {
    close(c);
    return;
  }
  char buf[4096];
  int nuls = 0;
  while (nuls < 5) {  // the request: five NUL-terminated strings
    ssize_t n = read(c, buf, sizeof(buf));
    if (n <= 0) break;
    request.append(buf, static_cast<size_t>(n));
    for (ssize_t i = 0; i < n; ++i) nuls += buf[i] == '\0';
  }
  if (mode == Mode::kExitWhileAnswering) {
    (void)!write(c, "0\n num", 6);
    SetState('Z');
  }
  if (mode == Mode::kAnswer) (void)!write(c, reply.data(), reply.size());
  while (mode == Mode::kSilent && !stop_) poll(nullptr, 0, 20);
  close(c);
}

}  // namespace memwatch::jvmattach::testing
