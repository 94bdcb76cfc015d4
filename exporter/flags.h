// The exporter's own flags (collectors define theirs beside their code).
#pragma once

#include <gflags/gflags.h>

DECLARE_string(web_listen_address);
DECLARE_bool(web_systemd_socket);
DECLARE_bool(web_enable_admin_api);
DECLARE_bool(web_disable_exporter_metrics);
DECLARE_string(web_telemetry_path);
DECLARE_int32(web_max_threads);
DECLARE_int32(web_max_requests);
DECLARE_string(web_config_file);
DECLARE_string(log_level);
DECLARE_string(path_procfs);
DECLARE_string(path_cgroupfs);
