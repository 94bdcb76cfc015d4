// Fuzzes the --web.config.file parser and the Authorization header parser:
// hostile input must give an error, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "exporter/basic_auth.h"
#include "exporter/tls_context.h"
#include "exporter/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  memwatch::web::WebConfig config;
  std::string error;
  memwatch::web::ParseWebConfig(text, "/etc/web.yml", &config, &error);
  std::string user, password;
  memwatch::web::ParseBasicAuth(text.c_str(), &user, &password);
  return 0;
}
