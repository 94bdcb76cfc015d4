#include "exporter/flags.h"

// 9747: in the exporter range 9100-9999; see README "Default port".
DEFINE_string(web_listen_address, ":9747",
              "Address to listen on for the metrics page, web UI and API: "
              "host:port, [IPv6]:port, name:port (every address the name "
              "resolves to at start) or :port (every interface, IPv4 and "
              "IPv6). Repeatable.");
DEFINE_bool(web_systemd_socket, false,
            "Use the listening sockets systemd passes (socket activation, "
            "LISTEN_FDS) instead of --web.listen-address.");
DEFINE_bool(web_enable_admin_api, false,
            "Enable the routes that change state or pause a process (POST "
            "/api/v1/heapdiff, DELETE /api/v1/usage/history, POST "
            "/-/reload); without it they answer 404. Refused on a "
            "non-loopback address unless --web.config.file sets "
            "basic_auth_users.");
DEFINE_bool(web_disable_exporter_metrics, false,
            "Leave out the exporter's own metrics (process_* of the "
            "exporter, memwatch_exporter_build_info).");
DEFINE_string(web_telemetry_path, "/metrics",
              "Path under which to expose metrics.");
DEFINE_int32(web_max_threads, 128,
             "HTTP worker threads. Each holds one client connection while it "
             "is open (idle ones too, until a 5 s header timeout), so this "
             "bounds the clients served at once.");
DEFINE_int32(web_max_requests, 40,
             "Requests handled at once; more are answered 503. 0: no limit.");
DEFINE_string(web_config_file, "",
              "Path to a web configuration file (TLS, basic auth, response "
              "headers) in the exporter-toolkit format; see "
              "docs/web-config.md.");
DEFINE_string(
    log_level, "info",
    "Only log messages with the given severity or above: debug, info, "
    "warn, error.");
DEFINE_string(log_format, "logfmt",
              "Output format of log messages: logfmt or json (one JSON object "
              "per line).");
DEFINE_string(path_procfs, "/proc",
              "procfs mountpoint: the root every /proc read goes through (a "
              "host's /proc mounted at /host/proc in a DaemonSet, or a fixture "
              "tree in tests).");
DEFINE_string(path_cgroupfs, "/sys/fs/cgroup",
              "Root of the cgroup filesystem: v2, v1 with its memory/ and "
              "cpu,cpuacct/ hierarchies, or a hybrid host with a unified/ "
              "mount. The process collector reads targets' cgroups there; "
              "--targets.containers walks it for containers.");
