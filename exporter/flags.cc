#include "exporter/flags.h"

// 9747: in the exporter range 9100-9999; see README "Default port".
DEFINE_string(web_listen_address, ":9747",
              "Address to listen on for the metrics page, web UI and API "
              "(host:port or :port for every interface; IPv4 only).");
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
