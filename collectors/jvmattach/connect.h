// Connecting to a HotSpot JVM's attach listener from outside (I/O), the way
// the JDK's own tools do (sun/tools/attach/VirtualMachineImpl.java):
//
// 1. The listener's socket is <JVM's /tmp>/.java_pid<nspid>. If it is not
//    there, create the trigger file .attach_pid<nspid> in the JVM's working
//    directory (else in its /tmp), send the JVM SIGQUIT, and poll for the
//    socket (HotSpot's signal handler starts the listener when it finds a
//    trigger owned by its euid or root); SIGQUIT again at half time, as the
//    JDK does; remove the trigger.
// 2. connect(2) to the socket and hand the connection to the caller.
//
// All of it runs in a short-lived child process (fork), because the
// listener only accepts a peer whose effective uid and gid are its own (or
// uid 0, JDK >= 11), and the trigger and the socket (mode 0600) belong to
// that uid: the child sets its effective uid/gid to the JVM's (when ours
// differ and it may) and connects; the kernel records the peer's
// credentials at connect(2) (SO_PEERCRED), so the socket, passed back over a
// socketpair (SCM_RIGHTS), keeps them. Changing credentials in the exporter
// itself is not an option: glibc's seteuid changes every thread's, and the
// scrapes and HTTP threads must keep theirs. The child's real and saved uid
// stay ours, so we can always kill it, and the JVM cannot.
//
// The JVM is reached only through descriptors the caller opens: its
// <procfs>/<pid> directory (the signal goes to that very process with
// pidfd_send_signal, never to a reused pid), its /tmp opened component by
// component with O_NOFOLLOW under <procfs>/<pid>/root, and its working
// directory (<procfs>/<pid>/cwd).
#pragma once

#include <atomic>
#include <cstdint>

namespace memwatch::jvmattach {

// Sends SIGQUIT to the JVM: 0 or an errno. Called in the forked child, so it
// may only make async-signal-safe calls. Tests replace it.
using SendQuitFn = int (*)(int procdir_fd, int pid, void* arg);

struct ConnectPlan {
  int procdir_fd = -1;  // <procfs>/<pid>
  int tmp_fd = -1;      // the JVM's /tmp
  int cwd_fd = -1;      // its working directory, or -1
  int pid = 0;          // in our namespace (kill(2) on kernels < 5.1)
  int nspid = 0;        // in its own: the file names carry it
  uint32_t uid = 0;     // the JVM's effective uid and gid
  uint32_t gid = 0;
  // Whether SIGQUIT may be sent (a HotSpot JVM that handles it).
  bool may_signal = false;
  double listener_start_seconds = 10;  // waiting for the socket
  double connect_seconds = 10;         // whole connect, >= the above
  SendQuitFn send_quit = nullptr;      // nullptr: pidfd_send_signal
  void* send_quit_arg = nullptr;
};

enum class ConnectStatus : int32_t {
  kConnected,
  kNoListener,       // no socket, and SIGQUIT may not be sent
  kListenerTimeout,  // no socket after SIGQUIT, or connect kept failing
  kExited,           // the process went away
  kTriggerFailed,    // could not create the trigger file (err)
  kSignalFailed,     // SIGQUIT refused (err)
  kBadSocket,        // the socket file is not the JVM's (owner, mode, type)
  kConnectFailed,    // connect(2) failed (err)
  kCredentials,      // our euid is neither the JVM's nor 0 and cannot become it
  kCancelled,
  kChildFailed,  // fork/socketpair failed (err), or the child died
};

struct ConnectResult {
  ConnectStatus status = ConnectStatus::kChildFailed;
  int err = 0;                  // errno of the failing step
  bool creds_switched = false;  // the child took the JVM's euid/egid
  bool signalled = false;       // SIGQUIT was sent
  int fd = -1;                  // kConnected: the socket; the caller closes it
};

// Blocks for at most plan.connect_seconds (+1 s for the child to clean up
// after a cancellation), checking *cancel every 50 ms.
ConnectResult ConnectToListener(const ConnectPlan& plan,
                                const std::atomic<bool>* cancel);

// Whether the process behind a <procfs>/<pid> directory descriptor has
// exited (gone or a zombie). Async-signal-safe.
bool ProcessGone(int procdir_fd);

}  // namespace memwatch::jvmattach
