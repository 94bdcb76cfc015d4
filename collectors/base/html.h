// HTML escaping for the pages the exporter serves (the landing page, the
// memwatch /events page): every name on them comes from a process or a user.
#pragma once

#include <string>
#include <string_view>

namespace memwatch {

// `text` safe inside an element or a double- or single-quoted attribute.
std::string HtmlEscape(std::string_view text);

}  // namespace memwatch
