// GET /api/v1/events: the memwatch collector's stats updates and leak events
// (collectors/detect/events.h) as JSON.
#pragma once

#include "collectors/detect/events.h"
#include "collectors/plugin/http.h"

namespace memwatch::memwatch_plugin {

// GET /api/v1/events[?name=N][&since=UNIX_SECONDS][&type=leak|stats]:
// {"events":[...]}; 400 on an unknown parameter or a bad value.
HttpResponse HandleEvents(const detect::EventBuffer& buffer,
                          const HttpRequest& req);

}  // namespace memwatch::memwatch_plugin
