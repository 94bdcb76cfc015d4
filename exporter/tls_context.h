// The OpenSSL side of --web.config.file's tls_server_config.
#pragma once

#include <string>

#include "exporter/web_config.h"

namespace memwatch::web {

// Applies `tls` to an OpenSSL SSL_CTX (passed as void* so callers need no
// OpenSSL headers): certificate chain and key, client CA and verification mode,
// protocol versions, cipher suites. Returns false with a one-line `error`.
bool ConfigureSslCtx(void* ssl_ctx, const TlsConfig& tls, std::string* error);

// Builds a throw-away SSL_CTX with `tls` to report certificate/key problems at
// start (exit 2) instead of at the first handshake.
bool CheckTlsConfig(const TlsConfig& tls, std::string* error);

}  // namespace memwatch::web
