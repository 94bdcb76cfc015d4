// Wiring of a running exporter: builds the enabled collectors, the routes and
// the HTTP server, and serves until SIGTERM/SIGINT.
#pragma once

namespace memwatch {

// Exit codes: 0 after a clean stop, 1 when the server cannot start (port in
// use), 2 for a configuration error.
int RunExporter();

}  // namespace memwatch
