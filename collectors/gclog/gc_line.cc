#include "collectors/gclog/gc_line.h"

namespace memwatch::gclog {

const char* GcLogFormatName(GcLogFormat f) {
  switch (f) {
    case GcLogFormat::kNode:
      return "node";
    case GcLogFormat::kJvm:
      return "jvm";
    case GcLogFormat::kGo:
      return "go";
  }
  return "node";
}

}  // namespace memwatch::gclog
