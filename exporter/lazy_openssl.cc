// OpenSSL (libssl, libcrypto) and libcrypt loaded on first use. The exporter
// is not linked against them: each function it calls is defined here with the
// prototype of its header (the compiler checks they agree) and forwards to the
// library, opened with dlopen the first time one is called. Only TLS and
// basic auth call them, so an exporter without --web.config.file never maps
// them: 1.7 MiB less resident memory (libcrypto alone 1.41 MiB: its relocated
// data and the symbol tables the loader reads; docs/performance.md).
//
// A new OpenSSL or crypt function used anywhere in the exporter fails to
// link ("undefined reference to `X509_...'") until it gets a line here.
#include <crypt.h>
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <cstdlib>

namespace {

// The library's handle; a missing library ends the process with exit code 2
// and the reason: its packages (libssl3, libcrypt1) are dependencies of the
// exporter's, so this is a broken installation, and nothing may continue
// serving without the TLS or authentication it was configured with.
void* Open(const char* soname) {
  void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    std::fprintf(stderr,
                 "memwatch_exporter: cannot load %s for TLS or basic auth: "
                 "%s\n",
                 soname, why != nullptr ? why : "unknown error");
    std::_Exit(2);
  }
  return lib;
}

void* Ssl() {
  static void* const lib = Open("libssl.so.3");
  return lib;
}
void* Crypto() {
  static void* const lib = Open("libcrypto.so.3");
  return lib;
}
void* Crypt() {
  static void* const lib = Open("libcrypt.so.1");
  return lib;
}

template <typename F>
F Symbol(void* lib, const char* name) {
  void* p = dlsym(lib, name);
  if (p == nullptr) {
    std::fprintf(stderr, "memwatch_exporter: no %s in the loaded library\n",
                 name);
    std::_Exit(2);
  }
  return reinterpret_cast<F>(p);
}

}  // namespace

// One forwarder: `ret name params` calls the library's `name` with `args`.
#define MEMWATCH_FORWARD(lib, ret, name, params, args)          \
  extern "C" ret name params {                                  \
    static const auto fn = Symbol<ret(*) params>(lib(), #name); \
    return fn args;                                             \
  }

// libssl
MEMWATCH_FORWARD(Ssl, const SSL_METHOD*, TLS_server_method, (void), ())
MEMWATCH_FORWARD(Ssl, SSL_CTX*, SSL_CTX_new, (const SSL_METHOD* meth), (meth))
MEMWATCH_FORWARD(Ssl, void, SSL_CTX_free, (SSL_CTX * ctx), (ctx))
MEMWATCH_FORWARD(Ssl, long, SSL_CTX_ctrl,
                 (SSL_CTX * ctx, int cmd, long larg, void* parg),
                 (ctx, cmd, larg, parg))
MEMWATCH_FORWARD(Ssl, uint64_t, SSL_CTX_set_options,
                 (SSL_CTX * ctx, uint64_t op), (ctx, op))
MEMWATCH_FORWARD(Ssl, uint64_t, SSL_CTX_clear_options,
                 (SSL_CTX * ctx, uint64_t op), (ctx, op))
MEMWATCH_FORWARD(Ssl, int, SSL_CTX_set_cipher_list,
                 (SSL_CTX * ctx, const char* str), (ctx, str))
MEMWATCH_FORWARD(Ssl, int, SSL_CTX_use_certificate_chain_file,
                 (SSL_CTX * ctx, const char* file), (ctx, file))
MEMWATCH_FORWARD(Ssl, int, SSL_CTX_use_PrivateKey_file,
                 (SSL_CTX * ctx, const char* file, int type), (ctx, file, type))
MEMWATCH_FORWARD(Ssl, int, SSL_CTX_check_private_key, (const SSL_CTX* ctx),
                 (ctx))
MEMWATCH_FORWARD(Ssl, int, SSL_CTX_load_verify_locations,
                 (SSL_CTX * ctx, const char* CAfile, const char* CApath),
                 (ctx, CAfile, CApath))
MEMWATCH_FORWARD(Ssl, void, SSL_CTX_set_verify,
                 (SSL_CTX * ctx, int mode, SSL_verify_cb callback),
                 (ctx, mode, callback))
MEMWATCH_FORWARD(Ssl, void, SSL_CTX_set_client_CA_list,
                 (SSL_CTX * ctx, STACK_OF(X509_NAME) * name_list),
                 (ctx, name_list))
MEMWATCH_FORWARD(Ssl, STACK_OF(X509_NAME) *, SSL_load_client_CA_file,
                 (const char* file), (file))
MEMWATCH_FORWARD(Ssl, const char*, OPENSSL_cipher_name, (const char* rfc_name),
                 (rfc_name))
MEMWATCH_FORWARD(Ssl, SSL*, SSL_new, (SSL_CTX * ctx), (ctx))
MEMWATCH_FORWARD(Ssl, void, SSL_free, (SSL * ssl), (ssl))
MEMWATCH_FORWARD(Ssl, int, SSL_set_fd, (SSL * s, int fd), (s, fd))
MEMWATCH_FORWARD(Ssl, int, SSL_accept, (SSL * ssl), (ssl))
MEMWATCH_FORWARD(Ssl, int, SSL_read, (SSL * ssl, void* buf, int num),
                 (ssl, buf, num))
MEMWATCH_FORWARD(Ssl, int, SSL_write, (SSL * ssl, const void* buf, int num),
                 (ssl, buf, num))
MEMWATCH_FORWARD(Ssl, int, SSL_pending, (const SSL* s), (s))
MEMWATCH_FORWARD(Ssl, int, SSL_shutdown, (SSL * s), (s))

// libcrypto
MEMWATCH_FORWARD(Crypto, void, ERR_clear_error, (void), ())
MEMWATCH_FORWARD(Crypto, unsigned long, ERR_get_error, (void), ())
MEMWATCH_FORWARD(Crypto, void, ERR_error_string_n,
                 (unsigned long e, char* buf, size_t len), (e, buf, len))
MEMWATCH_FORWARD(Crypto, int, CRYPTO_memcmp,
                 (const void* in_a, const void* in_b, size_t len),
                 (in_a, in_b, len))
MEMWATCH_FORWARD(Crypto, const EVP_MD*, EVP_sha256, (void), ())
MEMWATCH_FORWARD(Crypto, int, EVP_Digest,
                 (const void* data, size_t count, unsigned char* md,
                  unsigned int* size, const EVP_MD* type, ENGINE* impl),
                 (data, count, md, size, type, impl))
MEMWATCH_FORWARD(Crypto, int, EVP_DecodeBlock,
                 (unsigned char* t, const unsigned char* f, int n), (t, f, n))

// libcrypt
MEMWATCH_FORWARD(Crypt, char*, crypt_r,
                 (const char* phrase, const char* setting,
                  struct crypt_data* __restrict data),
                 (phrase, setting, data))
