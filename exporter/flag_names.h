// How gflag names are spelled on the command line.
//
// gflags names cannot hold '.' or '-', but Prometheus exporters spell flags
// `--web.listen-address`: a gflag `web_listen_address` reads as
// `--web.listen-address` (the first '_' as '.', later ones as '-').
// A collector's options are spelled as node_exporter does,
// `--collector.<name>.<option>`: the gflag `memwatch_leak_gcs` of collector
// `memwatch` is `--collector.memwatch.leak-gcs`, and its older spelling
// `--memwatch.leak-gcs` stays accepted as an alias.
#pragma once

#include <string>

#include "collectors/plugin/registry.h"

namespace memwatch {

// `web_listen_address` -> `web.listen-address` (the plain spelling; for a
// collector option, its alias).
std::string DisplayFlagName(const std::string& gflag_name);

// `memwatch_leak_gcs` -> `collector.memwatch.leak-gcs` when `memwatch` is a
// registered collector; otherwise DisplayFlagName.
std::string PreferredFlagName(const std::string& gflag_name,
                              const CollectorRegistry& registry);

// True if the gflag is a collector option (it then has an alias).
bool IsCollectorOption(const std::string& gflag_name,
                       const CollectorRegistry& registry);

// Back to the gflag name from any accepted spelling:
// `web.listen-address`, `web_listen_address`, `collector.memwatch.leak-gcs`
// -> `memwatch_leak_gcs`. A leading "no-" (boolean negation) is kept as
// "no_".
std::string GflagName(const std::string& display_name);
std::string GflagName(const std::string& display_name,
                      const CollectorRegistry& registry);

}  // namespace memwatch
