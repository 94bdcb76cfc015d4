#include "collectors/jvmattach/connect_error.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace memwatch::jvmattach {
namespace {

AttachError Make(ErrorKind kind, const std::string& message) {
  AttachError e;
  SetError(&e, kind, message);
  return e;
}

bool IsPermission(int err) {
  return err == EACCES || err == EPERM || err == EROFS;
}

AttachError NoListener(const Target& t, const std::string& pid) {
  if (!t.status.catches_sigquit) {
    return Make(ErrorKind::kAttachDisabled,
                pid +
                    " has no attach listener and does not handle SIGQUIT "
                    "(started with -Xrs or -XX:+ReduceSignalUsage?): not "
                    "signalled, as SIGQUIT would end it");
  }
  return Make(ErrorKind::kPermission,
              pid +
                  " has no attach listener, and its memory maps and perf "
                  "data are unreadable, so it cannot be told a HotSpot JVM: "
                  "not signalled (needs its uid or CAP_SYS_PTRACE)");
}

AttachError ListenerTimeout(const Target& t, const ConnectResult& c,
                            const std::string& pid, double start_seconds) {
  if (!c.signalled) {
    return Make(ErrorKind::kTimeout,
                pid +
                    ": its attach listener accepted no connection in time "
                    "(busy with another client?)");
  }
  std::string why =
      t.attach_disabled.has_value()
          ? "(its flags allow attach: is it hung, or its /tmp not writable?)"
          : "(its flags are unreadable here: was it started with "
            "-XX:+DisableAttachMechanism? is its /tmp writable?)";
  return Make(ErrorKind::kTimeout, pid +
                                       " did not start its attach listener "
                                       "within " +
                                       SecondsText(start_seconds) +
                                       " of SIGQUIT " + why);
}

}  // namespace

std::string SecondsText(double s) {
  std::string text = std::to_string(s);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text + " s";
}

std::string CredentialsHint(const Target& t) {
  return "the attach listener accepts only its JVM's effective uid/gid (" +
         std::to_string(t.status.euid) + "/" + std::to_string(t.status.egid) +
         ") or uid 0 (JDK 11+), and this exporter runs as " +
         std::to_string(geteuid()) + "/" + std::to_string(getegid()) +
         " and could not take the JVM's ids: run it as the JVM's user, or "
         "grant it CAP_SETUID and CAP_SETGID (docs/security.md)";
}

AttachError ConnectFailure(const Target& t, const ConnectResult& c,
                           double listener_start_seconds) {
  const std::string pid = "pid " + std::to_string(t.pid);
  const std::string sock = ".java_pid" + std::to_string(t.status.nspid);
  const std::string why = std::strerror(c.err);
  switch (c.status) {
    case ConnectStatus::kConnected:
      return AttachError();
    case ConnectStatus::kNoListener:
      return NoListener(t, pid);
    case ConnectStatus::kListenerTimeout:
      return ListenerTimeout(t, c, pid, listener_start_seconds);
    case ConnectStatus::kExited:
      return Make(ErrorKind::kExited, pid + " exited during the attach");
    case ConnectStatus::kTriggerFailed:
      return Make(
          IsPermission(c.err) ? ErrorKind::kPermission : ErrorKind::kInternal,
          pid + ": cannot create the attach trigger .attach_pid" +
              std::to_string(t.status.nspid) +
              " in its working directory or /tmp: " + why);
    case ConnectStatus::kSignalFailed:
      return Make(
          IsPermission(c.err) ? ErrorKind::kPermission : ErrorKind::kInternal,
          pid + ": cannot send SIGQUIT: " + why + " (" + CredentialsHint(t) +
              ")");
    case ConnectStatus::kBadSocket:
      return Make(ErrorKind::kPermission,
                  pid + ": its /tmp/" + sock + " is not a socket of uid " +
                      std::to_string(t.status.euid) +
                      " with mode 0600: not the JVM's, not used");
    case ConnectStatus::kConnectFailed:
      if (IsPermission(c.err)) {
        return Make(ErrorKind::kPermission, pid + ": connect to its /tmp/" +
                                                sock + ": " + why + " (" +
                                                CredentialsHint(t) + ")");
      }
      return Make(
          ErrorKind::kProtocol,
          pid + ": connect to its /tmp/" + sock + ": " + why +
              (c.err == ECONNREFUSED ? " (a stale socket: its listener stopped)"
                                     : ""));
    case ConnectStatus::kCredentials:
      return Make(ErrorKind::kPermission, pid + ": " + CredentialsHint(t));
    case ConnectStatus::kCancelled:
      return Make(ErrorKind::kCancelled, pid + ": attach cancelled");
    case ConnectStatus::kChildFailed:
      break;
  }
  if (c.err == ETIMEDOUT) {
    return Make(ErrorKind::kTimeout,
                pid + ": the attach helper process did not finish in time");
  }
  return Make(ErrorKind::kInternal,
              pid + ": the attach helper process failed" +
                  (c.err != 0 ? ": " + why : std::string()));
}

}  // namespace memwatch::jvmattach
