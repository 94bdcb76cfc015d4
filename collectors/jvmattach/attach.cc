#include "collectors/jvmattach/attach.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <vector>

#include "collectors/jvmattach/connect_error.h"
#include "collectors/jvmattach/protocol.h"
#include "collectors/jvmattach/target.h"

namespace memwatch::jvmattach {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// The JVM's directories, opened once by us; the child works from these.
struct JvmDirs {
  Fd procdir;
  Fd tmp;
  Fd cwd;
};

std::string PidText(int pid) { return "pid " + std::to_string(pid); }

std::string Errno(int err) { return std::strerror(err); }

bool OpenDirs(const std::string& procfs_root, int pid, JvmDirs* dirs,
              AttachError* error) {
  const std::string base = procfs_root + "/" + std::to_string(pid);
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  dirs->procdir.reset(open(base.c_str(), flags));
  if (dirs->procdir.get() < 0) {
    return SetError(error, ErrorKind::kNoProcess,
                    PidText(pid) + ": no such process");
  }
  Fd root(open((base + "/root").c_str(), flags));
  if (root.get() < 0) {
    int err = errno;
    if (err == ENOENT) {
      return SetError(error, ErrorKind::kNoProcess, PidText(pid) + " exited");
    }
    return SetError(error,
                    err == EACCES || err == EPERM ? ErrorKind::kPermission
                                                  : ErrorKind::kInternal,
                    "cannot open " + base + "/root: " + Errno(err) +
                        " (reaching a JVM's /tmp needs its uid or "
                        "CAP_SYS_PTRACE)");
  }
  // O_NOFOLLOW: a symlink there would resolve against OUR root.
  dirs->tmp.reset(openat(root.get(), "tmp", flags | O_NOFOLLOW));
  if (dirs->tmp.get() < 0) {
    int err = errno;
    struct stat st;
    bool link = fstatat(root.get(), "tmp", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISLNK(st.st_mode);
    return SetError(
        error, err == EACCES ? ErrorKind::kPermission : ErrorKind::kInternal,
        "cannot open " + base +
            "/root/tmp: " + (link ? "a symlink, not followed" : Errno(err)));
  }
  dirs->cwd.reset(open((base + "/cwd").c_str(), flags));  // optional
  return true;
}

// After an early end: give the exit of the process time to show (its
// socket closes before it becomes a zombie).
bool GoneSoon(int procdir_fd) {
  for (int i = 0; i < 15; ++i) {
    if (ProcessGone(procdir_fd)) return true;
    poll(nullptr, 0, 20);
  }
  return false;
}

bool Cancelled(const AttachOptions& o) {
  return o.cancel != nullptr && o.cancel->load();
}

// Waits until fd is ready for `events`, the deadline passes (false,
// kTimeout) or the caller cancels (false, kCancelled).
bool WaitFd(int fd, short events, Clock::time_point deadline,
            const AttachOptions& o, ErrorKind* why) {
  while (true) {
    if (Cancelled(o)) {
      *why = ErrorKind::kCancelled;
      return false;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - Clock::now())
                    .count();
    if (left <= 0) {
      *why = ErrorKind::kTimeout;
      return false;
    }
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 50)));
    if (n > 0) return true;
  }
}

struct Exchanged {
  std::string reply;
  bool eof = false;
  ErrorKind stopped = ErrorKind::kNone;  // kTimeout, kCancelled, kProtocol
};

// Sends the request and reads the answer until EOF, the byte cap or the
// deadline. A listener that refuses our credentials closes at once.
Exchanged Exchange(int fd, const std::string& request,
                   Clock::time_point deadline, const AttachOptions& o) {
  Exchanged x;
  size_t sent = 0;
  while (sent < request.size()) {
    if (!WaitFd(fd, POLLOUT, deadline, o, &x.stopped)) return x;
    ssize_t n =
        send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) sent += static_cast<size_t>(n);
    if (n < 0 && errno != EAGAIN && errno != EINTR) break;  // read what came
  }
  // On the heap: this runs on an HTTP worker thread, whose stack is small.
  std::vector<char> buf(65536);
  while (true) {
    if (!WaitFd(fd, POLLIN, deadline, o, &x.stopped)) return x;
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      x.eof = true;  // or ECONNRESET: the same to us
      return x;
    }
    if (x.reply.size() + static_cast<size_t>(n) > o.max_output_bytes) {
      x.stopped = ErrorKind::kProtocol;
      return x;
    }
    x.reply.append(buf.data(), static_cast<size_t>(n));
  }
}

bool ReplyError(const Target& t, const Exchanged& x, const ConnectResult& c,
                int procdir_fd, const AttachOptions& o, AttachError* error) {
  const std::string pid = PidText(t.pid);
  if (x.stopped == ErrorKind::kCancelled) {
    return SetError(error, ErrorKind::kCancelled, pid + ": attach cancelled");
  }
  if (x.stopped == ErrorKind::kProtocol) {
    return SetError(error, ErrorKind::kProtocol,
                    pid + ": the JVM's answer is longer than " +
                        std::to_string(o.max_output_bytes) + " bytes");
  }
  if (ProcessGone(procdir_fd) || (x.eof && GoneSoon(procdir_fd))) {
    return SetError(error, ErrorKind::kExited,
                    pid + " exited during the attach (after " +
                        std::to_string(x.reply.size()) +
                        " bytes of its answer)");
  }
  if (x.stopped == ErrorKind::kTimeout) {
    return SetError(error, ErrorKind::kTimeout,
                    pid + ": the JVM's attach listener did not answer within " +
                        SecondsText(o.timeout_seconds) + " (" +
                        std::to_string(x.reply.size()) + " bytes received)");
  }
  if (x.reply.empty() && !c.creds_switched &&
      (geteuid() != t.status.euid || getegid() != t.status.egid)) {
    return SetError(error, ErrorKind::kPermission,
                    pid +
                        ": the JVM closed the connection without an answer: " +
                        CredentialsHint(t));
  }
  return SetError(error, ErrorKind::kProtocol,
                  pid +
                      ": the JVM closed the connection without a complete "
                      "answer (" +
                      std::to_string(x.reply.size()) + " bytes)");
}

ConnectPlan PlanFor(const Target& t, const JvmDirs& dirs,
                    const AttachOptions& o) {
  ConnectPlan plan;
  plan.procdir_fd = dirs.procdir.get();
  plan.tmp_fd = dirs.tmp.get();
  plan.cwd_fd = dirs.cwd.get();
  plan.pid = t.pid;
  plan.nspid = t.status.nspid;
  plan.uid = t.status.euid;
  plan.gid = t.status.egid;
  // SIGQUIT ends a process without a handler: a HotSpot JVM handling it only.
  plan.may_signal = t.flavor == JvmFlavor::kHotSpot && t.status.catches_sigquit;
  plan.listener_start_seconds = o.listener_start_seconds;
  plan.connect_seconds = o.timeout_seconds;
  plan.send_quit = o.send_quit;
  plan.send_quit_arg = o.send_quit_arg;
  return plan;
}

// Accepts a status-0 output (parses it), or says why not.
using OutputCheck = std::function<bool(std::string_view, std::string*)>;

// Looks at the process, refuses what must not be attached, opens its
// directories and connects; c->fd is the socket on success.
bool Connect(const std::string& procfs_root, int pid,
             const AttachOptions& options, Target* target, JvmDirs* dirs,
             ConnectResult* c, AttachError* error) {
  if (!InspectTarget(procfs_root, pid, target, error)) return false;
  AttachError refusal = RefusalOf(*target);
  if (refusal.kind == ErrorKind::kNone) {
    if (!OpenDirs(procfs_root, pid, dirs, error)) return false;
    *c = ConnectToListener(PlanFor(*target, *dirs, options), options.cancel);
    refusal = ConnectFailure(*target, *c, options.listener_start_seconds);
  }
  if (refusal.kind == ErrorKind::kNone) return true;
  if (error != nullptr) *error = refusal;
  return false;
}

// The output of the answer: status 0 and accepted by `check`.
std::optional<std::string> Answer(const Target& t, Exchanged x,
                                  const ConnectResult& c, int procdir_fd,
                                  std::string_view command,
                                  const AttachOptions& o,
                                  const OutputCheck& check,
                                  AttachError* error) {
  std::string err;
  auto reply = x.stopped == ErrorKind::kNone && x.eof
                   ? ParseReply(x.reply, &err)
                   : std::nullopt;
  if (!reply) {
    ReplyError(t, x, c, procdir_fd, o, error);
    return std::nullopt;
  }
  if (reply->status != 0) {
    SetError(error, ErrorKind::kCommandFailed,
             PidText(t.pid) + ": the JVM answered " + std::string(command) +
                 " with status " + std::to_string(reply->status) +
                 (reply->status == kStatusBadVersion
                      ? " (attach protocol version not supported)"
                      : "") +
                 ": " + OneLine(reply->output));
    return std::nullopt;
  }
  if (check && !check(reply->output, &err)) {
    // A JVM that dies mid-answer leaves a cut output.
    if (GoneSoon(procdir_fd)) {
      SetError(error, ErrorKind::kExited,
               PidText(t.pid) +
                   " exited during the attach (its answer was cut after " +
                   std::to_string(x.reply.size()) + " bytes)");
    } else {
      SetError(error, ErrorKind::kProtocol, PidText(t.pid) + ": " + err);
    }
    return std::nullopt;
  }
  x.reply.erase(0, x.reply.size() - reply->output.size());  // the status line
  return std::move(x.reply);
}

std::optional<std::string> Attach(const std::string& procfs_root, int pid,
                                  std::string_view command,
                                  const std::vector<std::string>& args,
                                  const AttachOptions& options,
                                  const OutputCheck& check,
                                  AttachError* error) {
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(
                         std::max(options.timeout_seconds, 0.0) * 1000));
  std::string err;
  auto request = EncodeRequest(command, args, &err);
  if (!request) {
    SetError(error, ErrorKind::kInternal, err);
    return std::nullopt;
  }
  Target target;
  JvmDirs dirs;
  ConnectResult c;
  if (!Connect(procfs_root, pid, options, &target, &dirs, &c, error)) {
    return std::nullopt;
  }
  Fd sock(c.fd);
  return Answer(target, Exchange(sock.get(), *request, deadline, options), c,
                dirs.procdir.get(), command, options, check, error);
}

}  // namespace

std::optional<std::string> RunAttachCommand(
    const std::string& procfs_root, int pid, std::string_view command,
    const std::vector<std::string>& args, const AttachOptions& options,
    AttachError* error) {
  return Attach(procfs_root, pid, command, args, options, nullptr, error);
}

std::string HistogramCommand(bool live_only) {
  return live_only ? "GC.class_histogram" : "GC.class_histogram -all";
}

std::optional<ClassHistogram> TakeClassHistogram(const std::string& procfs_root,
                                                 int pid,
                                                 const AttachOptions& options,
                                                 AttachError* error) {
  std::optional<ClassHistogram> histo;
  auto parse = [&](std::string_view output, std::string* why) {
    histo = ParseClassHistogram(output, options.histogram, why);
    if (!histo) *why = "the JVM's class histogram: " + *why;
    return histo.has_value();
  };
  if (!Attach(procfs_root, pid, "jcmd", {HistogramCommand(options.live_only)},
              options, parse, error)) {
    return std::nullopt;
  }
  return histo;
}

}  // namespace memwatch::jvmattach
