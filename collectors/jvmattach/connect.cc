#include "collectors/jvmattach/connect.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace memwatch::jvmattach {
namespace {

constexpr int64_t kMs = int64_t{1000} * 1000;

// What the child needs, prepared before fork: after it, a child of a
// threaded process may only make async-signal-safe calls (no malloc).
struct ChildArgs {
  ConnectPlan plan;
  char sock_name[32];     // ".java_pid<nspid>"
  char trigger_name[32];  // ".attach_pid<nspid>"
  bool switch_creds = false;
  int64_t listener_deadline = 0;  // CLOCK_MONOTONIC ns
  int64_t connect_deadline = 0;
};

// The child's one message to the parent (plus the socket, SCM_RIGHTS).
struct Report {
  int32_t status = static_cast<int32_t>(ConnectStatus::kChildFailed);
  int32_t err = 0;
  uint8_t creds_switched = 0;
  uint8_t signalled = 0;
  uint8_t pad[2] = {0, 0};
};

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 * kMs + ts.tv_nsec;
}

void SleepNs(int64_t ns) {
  if (ns <= 0) return;
  struct timespec ts = {static_cast<time_t>(ns / (1000 * kMs)),
                        static_cast<long>(ns % (1000 * kMs))};
  nanosleep(&ts, nullptr);
}

// Effective ids only, as seteuid/setegid: the real and saved uid stay ours,
// so the parent may kill the child and the JVM's uid may not.
bool SwitchCreds(uint32_t uid, uint32_t gid) {
  gid_t groups[1] = {static_cast<gid_t>(gid)};
  syscall(SYS_setgroups, 1, groups);  // best effort: drop our groups
  if (getegid() != gid && syscall(SYS_setresgid, -1, gid, -1) != 0) {
    return false;
  }
  return geteuid() == uid || syscall(SYS_setresuid, -1, uid, -1) == 0;
}

bool SocketReady(int tmp_fd, const char* name) {
  struct stat st;
  return fstatat(tmp_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
         S_ISSOCK(st.st_mode);
}

// HotSpot makes its socket 0600 and chowns it to its euid/egid: anything
// else was not made by this JVM (VirtualMachineImpl checks the same).
bool SocketIsJvms(const ChildArgs& a) {
  struct stat st;
  return fstatat(a.plan.tmp_fd, a.sock_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
         S_ISSOCK(st.st_mode) && st.st_uid == a.plan.uid &&
         (st.st_mode & 077) == 0;
}

bool ParentGone(int report_fd) {
  struct pollfd p = {report_fd, POLLIN, 0};
  return poll(&p, 1, 0) > 0;  // the parent never writes: EOF or error
}

// The trigger in the working directory, else in /tmp; returns the directory
// used, or -1 with *err. A file that does not come out ours (some
// filesystems force an owner) would not be trusted by the JVM: removed.
int CreateTrigger(const ChildArgs& a, int32_t* err) {
  for (int dir : {a.plan.cwd_fd, a.plan.tmp_fd}) {
    if (dir < 0) continue;
    int fd = openat(
        dir, a.trigger_name,
        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
        0600);
    if (fd < 0) {
      *err = errno;
      continue;
    }
    struct stat st;
    bool ours = fstat(fd, &st) == 0 && st.st_uid == geteuid();
    close(fd);
    if (ours) return dir;
    unlinkat(dir, a.trigger_name, 0);
    *err = EPERM;
  }
  return -1;
}

int SendQuit(const ChildArgs& a) {
  const ConnectPlan& p = a.plan;
  if (p.send_quit != nullptr) {
    return p.send_quit(p.procdir_fd, p.pid, p.send_quit_arg);
  }
  // To the process behind the directory: never to a reused pid.
  if (syscall(SYS_pidfd_send_signal, p.procdir_fd, SIGQUIT, nullptr, 0) == 0) {
    return 0;
  }
  if (errno != ENOSYS) return errno;
  return kill(p.pid, SIGQUIT) == 0 ? 0 : errno;
}

int32_t Status(ConnectStatus s) { return static_cast<int32_t>(s); }

int32_t SignalAndWait(const ChildArgs& a, int report_fd, Report* r) {
  const int64_t start = NowNs();
  const int64_t half = start + (a.listener_deadline - start) / 2;
  int err = SendQuit(a);
  if (err != 0) {
    r->err = err;
    return Status(err == ESRCH ? ConnectStatus::kExited
                               : ConnectStatus::kSignalFailed);
  }
  r->signalled = 1;
  bool again = false;
  int64_t delay = 20 * kMs;
  while (!SocketReady(a.plan.tmp_fd, a.sock_name)) {
    if (ProcessGone(a.plan.procdir_fd)) return Status(ConnectStatus::kExited);
    if (ParentGone(report_fd)) return Status(ConnectStatus::kCancelled);
    const int64_t now = NowNs();
    if (now >= a.listener_deadline) {
      return Status(ConnectStatus::kListenerTimeout);
    }
    if (!again && now >= half) {
      again = true;  // the JDK's second chance
      SendQuit(a);
    }
    SleepNs(std::min(delay, a.listener_deadline - now));
    delay = std::min(delay + 20 * kMs, 200 * kMs);
  }
  return Status(ConnectStatus::kConnected);
}

int32_t StartListener(const ChildArgs& a, int report_fd, Report* r) {
  if (!a.plan.may_signal) return Status(ConnectStatus::kNoListener);
  int dir = CreateTrigger(a, &r->err);
  if (dir < 0) return Status(ConnectStatus::kTriggerFailed);
  int32_t s = SignalAndWait(a, report_fd, r);
  unlinkat(dir, a.trigger_name, 0);
  return s;
}

// connect(2) by a path relative to the JVM's /tmp (fchdir: this is the
// child's own cwd), so no path length limit and no symlink on the way.
int ConnectSocket(const ChildArgs& a, int32_t* err) {
  if (fchdir(a.plan.tmp_fd) != 0) {
    *err = errno;
    return -1;
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, a.sock_name, strlen(a.sock_name) + 1);
  while (true) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) {
      *err = errno;
      return -1;
    }
    if (connect(s, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)) ==
        0) {
      return s;
    }
    *err = errno;
    close(s);
    // EAGAIN: the listener's backlog (5) is full; it serves one at a time.
    if (*err != EAGAIN && *err != EINTR) return -1;
    if (NowNs() >= a.connect_deadline) {
      *err = ETIMEDOUT;
      return -1;
    }
    SleepNs(20 * kMs);
  }
}

int32_t RunSteps(const ChildArgs& a, int report_fd, Report* r, int* fd) {
  if (a.switch_creds) r->creds_switched = SwitchCreds(a.plan.uid, a.plan.gid);
  const uid_t me = geteuid();
  if (me != 0 && me != a.plan.uid) return Status(ConnectStatus::kCredentials);
  if (!SocketReady(a.plan.tmp_fd, a.sock_name)) {
    int32_t s = StartListener(a, report_fd, r);
    if (s != Status(ConnectStatus::kConnected)) return s;
  }
  if (!SocketIsJvms(a)) return Status(ConnectStatus::kBadSocket);
  *fd = ConnectSocket(a, &r->err);
  if (*fd >= 0) return Status(ConnectStatus::kConnected);
  if (ProcessGone(a.plan.procdir_fd)) return Status(ConnectStatus::kExited);
  return Status(r->err == ETIMEDOUT ? ConnectStatus::kListenerTimeout
                                    : ConnectStatus::kConnectFailed);
}

[[noreturn]] void RunChild(const ChildArgs& a, int report_fd) {
  Report r;
  int fd = -1;
  r.status = RunSteps(a, report_fd, &r, &fd);
  struct iovec iov = {&r, sizeof(r)};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (fd >= 0) {
    memset(control, 0, sizeof(control));
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  sendmsg(report_fd, &msg, MSG_NOSIGNAL);
  _exit(0);
}

// The report and the socket it carries; false when the child sent none.
bool ReadReport(int fd, Report* r, int* passed) {
  struct iovec iov = {r, sizeof(*r)};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  for (struct cmsghdr* c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr; c != nullptr;
       c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int))) {
      memcpy(passed, CMSG_DATA(c), sizeof(int));
    }
  }
  return n == static_cast<ssize_t>(sizeof(*r));
}

// Waits for the child to exit, at most `ms`; then SIGKILL and a last
// bounded wait (a child stuck in the kernel is left, rather than hang).
void Reap(pid_t child, int ms) {
  for (int waited = 0;; waited += 10) {
    pid_t got = waitpid(child, nullptr, WNOHANG);
    if (got == child || (got < 0 && errno != EINTR)) return;
    if (waited == ms) kill(child, SIGKILL);
    if (waited >= ms + 2000) return;
    SleepNs(10 * kMs);
  }
}

ChildArgs MakeArgs(const ConnectPlan& plan, int64_t start) {
  ChildArgs a;
  a.plan = plan;
  snprintf(a.sock_name, sizeof(a.sock_name), ".java_pid%d", plan.nspid);
  snprintf(a.trigger_name, sizeof(a.trigger_name), ".attach_pid%d", plan.nspid);
  a.switch_creds = geteuid() != plan.uid || getegid() != plan.gid;
  const double connect_s = std::max(plan.connect_seconds, 0.0);
  const double start_s = std::min(plan.listener_start_seconds, connect_s);
  a.listener_deadline = start + static_cast<int64_t>(start_s * 1e9);
  a.connect_deadline = start + static_cast<int64_t>(connect_s * 1e9);
  return a;
}

ConnectResult Failed(ConnectStatus s, int err) {
  ConnectResult r;
  r.status = s;
  r.err = err;
  return r;
}

// The child's report on `fd` (its socket in result.fd), kCancelled, or
// kChildFailed/ETIMEDOUT once `deadline` passes.
ConnectResult AwaitReport(int fd, int64_t deadline,
                          const std::atomic<bool>* cancel) {
  ConnectResult result = Failed(ConnectStatus::kChildFailed, 0);
  while (true) {
    if (cancel != nullptr && cancel->load()) {
      return Failed(ConnectStatus::kCancelled, 0);
    }
    const int64_t left = deadline - NowNs();
    if (left <= 0) return Failed(ConnectStatus::kChildFailed, ETIMEDOUT);
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left / kMs, 50)));
    if (n == 0 || (n < 0 && errno == EINTR)) continue;
    Report report;
    if (ReadReport(fd, &report, &result.fd)) {
      const bool known = report.status >= 0 &&
                         report.status <= Status(ConnectStatus::kChildFailed);
      result.status = known ? static_cast<ConnectStatus>(report.status)
                            : ConnectStatus::kChildFailed;
      result.err = report.err;
      result.creds_switched = report.creds_switched != 0;
      result.signalled = report.signalled != 0;
    }
    return result;
  }
}

}  // namespace

bool ProcessGone(int procdir_fd) {
  int fd = openat(procdir_fd, "stat", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno == ENOENT || errno == ESRCH;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof(buf));
  int err = errno;
  close(fd);
  if (n <= 0) return n < 0 && err == ESRCH;
  // "pid (comm) S ...": the state follows the last ')'.
  for (ssize_t i = n - 1; i >= 0; --i) {
    if (buf[i] == ')') {
      return i + 2 < n && (buf[i + 2] == 'Z' || buf[i + 2] == 'X');
    }
  }
  return false;
}

ConnectResult ConnectToListener(const ConnectPlan& plan,
                                const std::atomic<bool>* cancel) {
  const ChildArgs args = MakeArgs(plan, NowNs());
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Failed(ConnectStatus::kChildFailed, errno);
  }
  pid_t child = fork();
  if (child < 0) {
    int err = errno;
    close(sv[0]);
    close(sv[1]);
    return Failed(ConnectStatus::kChildFailed, err);
  }
  if (child == 0) {
    close(sv[0]);
    RunChild(args, sv[1]);
  }
  close(sv[1]);
  // The child keeps its own deadlines; this one only catches a stuck child.
  ConnectResult result =
      AwaitReport(sv[0], args.connect_deadline + 1000 * kMs, cancel);
  close(sv[0]);  // on a cancel, the child sees it, removes its trigger, exits
  const bool stuck =
      result.status == ConnectStatus::kChildFailed && result.err == ETIMEDOUT;
  Reap(child, stuck ? 0 : 1000);
  if (result.status != ConnectStatus::kConnected && result.fd >= 0) {
    close(result.fd);
    result.fd = -1;
  }
  return result;
}

}  // namespace memwatch::jvmattach
