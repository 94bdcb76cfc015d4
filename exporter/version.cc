#include "exporter/version.h"

#include "exporter/revision.h"  // generated: defines MEMWATCH_REVISION

namespace memwatch {

const char kVersion[] = "0.1.0";
const char kRevision[] = MEMWATCH_REVISION;

}  // namespace memwatch
