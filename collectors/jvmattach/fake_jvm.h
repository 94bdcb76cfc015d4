// A fake HotSpot JVM for the attach tests: a fixture /proc/<pid> tree under
// $TEST_TMPDIR whose root/ and cwd/ links point at temp directories, and a
// thread that plays the attach listener (listening at once, or only once a
// "SIGQUIT" finds a trigger file: the test hook turns SIGQUIT into a byte on
// a pipe). Test-only.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <string>
#include <thread>

#include "collectors/jvmattach/attach.h"

namespace memwatch::jvmattach::testing {

inline constexpr int kPid = 4242;
inline constexpr int kNsPid = 7;
// A small histogram as the listener would send it (without the status).
extern const char* const kHisto;

class FakeJvm {
 public:
  enum class Mode { kAnswer, kSilent, kClose, kExitWhileAnswering };

  explicit FakeJvm(const std::string& name);
  ~FakeJvm();
  FakeJvm(const FakeJvm&) = delete;
  FakeJvm& operator=(const FakeJvm&) = delete;

  void SetStatus(uint32_t uid, uint32_t gid, bool sigquit);
  void SetState(char state);  // 'Z': exited, not reaped
  void SetMaps(const std::string& maps);
  void SetCmdline(const std::string& cmdline);

  // Binds <rootfs>/tmp/.java_pid7 like HotSpot (mode, owned by the JVM).
  void Listen(mode_t mode = 0600);
  // Serves one connection from a thread; with on_quit, listens only once a
  // SIGQUIT came (and notes where the trigger file was).
  void Serve(Mode mode, const std::string& reply, bool on_quit = false);

  // Waits until the served connection is closed: read request, peer and
  // trigger_found_in only after it.
  void Join();

  // TakeClassHistogram that must fail: its error.
  AttachError Fail();
  // SIGQUITs sent so far (and forgets them).
  int Quits();

  std::string SocketPath() const;
  std::string TriggerIn(const std::string& dir) const;

  AttachOptions options;
  std::string dir, proc, procdir, tmp, cwd;
  std::string request;           // what the client sent
  struct ucred peer = {};        // its credentials at connect(2)
  std::string trigger_found_in;  // "cwd", "tmp" or ""

 private:
  bool AwaitQuit();
  void ServeOne(Mode mode, const std::string& reply);

  std::atomic<bool> stop_{false};
  int quit_pipe_[2] = {-1, -1};
  int listen_fd_ = -1;
  uint32_t uid_ = 0;
  std::thread thread_;
};

}  // namespace memwatch::jvmattach::testing
