// The one-line errors of a failed connection to an attach listener: why, and
// what to change (a privilege, a flag) when something can be.
#pragma once

#include <string>

#include "collectors/jvmattach/connect.h"
#include "collectors/jvmattach/error.h"
#include "collectors/jvmattach/target.h"

namespace memwatch::jvmattach {

// What the listener accepts and what this exporter is, for permission errors.
std::string CredentialsHint(const Target& target);

// "10 s", "0.5 s".
std::string SecondsText(double seconds);

AttachError ConnectFailure(const Target& target, const ConnectResult& result,
                           double listener_start_seconds);

}  // namespace memwatch::jvmattach
