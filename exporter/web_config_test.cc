#include "exporter/web_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "collectors/base/fixtures.h"
#include "exporter/basic_auth.h"
#include "exporter/tls_context.h"

namespace memwatch {
namespace web {
namespace {

// bcrypt of "s3cret" at cost 4 (fast in tests), in the three accepted forms.
const char* kHash2b =
    "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
const char* kHash2y =
    "$2y$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
const char* kHash2a =
    "$2a$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";

std::string Err(const std::string& text) {
  WebConfig c;
  std::string err;
  EXPECT_FALSE(ParseWebConfig(text, "/etc/web.yml", &c, &err)) << text;
  return err;
}

TEST(WebConfigParse, EmptyIsNothingConfigured) {
  WebConfig c;
  std::string err;
  ASSERT_TRUE(ParseWebConfig("", "w.yml", &c, &err)) << err;
  EXPECT_FALSE(c.tls.enabled);
  EXPECT_TRUE(c.users.empty());
  ASSERT_TRUE(ParseWebConfig("# only a comment\n", "w.yml", &c, &err)) << err;
}

TEST(WebConfigParse, FullExample) {
  std::string text = std::string(R"(tls_server_config:
  cert_file: server.crt
  key_file: /abs/server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
  max_version: TLS13
  cipher_suites:
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  prefer_server_cipher_suites: false
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: )") + kHash2b +
                     "\n  bob: '" + kHash2y + "'\n";
  WebConfig c;
  std::string err;
  ASSERT_TRUE(ParseWebConfig(text, "/etc/memwatch/web.yml", &c, &err)) << err;
  EXPECT_TRUE(c.tls.enabled);
  EXPECT_EQ(c.tls.cert_file, "/etc/memwatch/server.crt");  // relative to file
  EXPECT_EQ(c.tls.key_file, "/abs/server.key");
  EXPECT_EQ(c.tls.client_ca_file, "/etc/memwatch/ca.crt");
  EXPECT_EQ(c.tls.client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(c.tls.min_version, 0x0304);
  EXPECT_EQ(c.tls.max_version, 0x0304);
  ASSERT_EQ(c.tls.cipher_suites.size(), 1u);
  EXPECT_EQ(c.tls.cipher_suites[0], "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_FALSE(c.tls.prefer_server_cipher_suites);
  ASSERT_EQ(c.headers.size(), 2u);
  EXPECT_EQ(c.users.size(), 2u);
  EXPECT_EQ(c.users["alice"], kHash2b);
}

TEST(WebConfigParse, ErrorsCarryFileLineColumn) {
  EXPECT_EQ(Err("basic_auth_users: {}\nbogus: 1\n"),
            "/etc/web.yml:2:1: unknown key 'bogus' in the web config");
  EXPECT_EQ(Err("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  min_version: TLS99\n"),
            "/etc/web.yml:4:16: min_version 'TLS99' must be one of TLS10, "
            "TLS11, TLS12, TLS13");
  EXPECT_NE(Err("basic_auth_users:\n  alice: plaintext\n")
                .find("/etc/web.yml:2:10: password of user 'alice' must be "
                      "a bcrypt hash"),
            std::string::npos);
  // A YAML syntax error too.
  EXPECT_EQ(Err("basic_auth_users: [\n").rfind("/etc/web.yml:", 0), 0u);
}

TEST(WebConfigParse, RefusesBadValues) {
  EXPECT_NE(Err("tls_server_config:\n  cert_file: a\n").find("key_file"),
            std::string::npos);
  EXPECT_NE(Err("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  client_auth_type: RequireAndVerifyClientCert\n")
                .find("needs client_ca_file"),
            std::string::npos);
  EXPECT_NE(Err("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  client_ca_file: c\n")
                .find("client_ca_file is set"),
            std::string::npos);
  EXPECT_NE(Err("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  client_auth_type: Maybe\n")
                .find("client_auth_type 'Maybe'"),
            std::string::npos);
  EXPECT_NE(Err("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  min_version: TLS13\n  max_version: TLS12\n")
                .find("min_version is above"),
            std::string::npos);
  EXPECT_NE(Err("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  cipher_suites: [TLS_NOPE]\n")
                .find("unknown cipher suite 'TLS_NOPE'"),
            std::string::npos);
  EXPECT_NE(Err("tls_server_config:\n  cert: inline\n")
                .find("not supported by memwatch_exporter"),
            std::string::npos);
  EXPECT_NE(Err("http_server_config:\n  headers:\n    Set-Cookie: x\n")
                .find("unknown key 'Set-Cookie' in headers"),
            std::string::npos);
  EXPECT_NE(Err("http_server_config:\n  http2: maybe\n")
                .find("must be true or false"),
            std::string::npos);
  EXPECT_NE(Err("basic_auth_users:\n  a:b: " + std::string(kHash2b) + "\n")
                .find("contains ':'"),
            std::string::npos);
  EXPECT_NE(Err("basic_auth_users:\n  alice: $2b$04$short\n").find("bcrypt"),
            std::string::npos);
  EXPECT_NE(Err("basic_auth_users: [a, b]\n").find("must be a mapping"),
            std::string::npos);
  EXPECT_NE(Err("- a\n- b\n").find("must be a mapping"), std::string::npos);
  EXPECT_NE(
      Err("basic_auth_users: {}\nbasic_auth_users: {}\n").find("duplicate key"),
      std::string::npos);
}

TEST(WebConfigParse, HostileInputNeverCrashes) {
  WebConfig c;
  std::string err;
  for (const std::string& text :
       {std::string("\0\xff\xfe", 3), std::string(10000, '['),
        std::string("a: &x [*x]\n"), std::string("? [a]\n: b\n"),
        std::string("basic_auth_users:\n  ? [x]\n  : y\n")}) {
    ParseWebConfig(text, "w.yml", &c, &err);  // must just return
  }
}

TEST(BasicAuth, ParsesHeader) {
  std::string u, p;
  ASSERT_TRUE(
      ParseBasicAuth("Basic YWxpY2U6czNjcmV0", &u, &p));  // alice:s3cret
  EXPECT_EQ(u, "alice");
  EXPECT_EQ(p, "s3cret");
  ASSERT_TRUE(ParseBasicAuth("basic YTpiOmM=", &u, &p));  // a:b:c
  EXPECT_EQ(u, "a");
  EXPECT_EQ(p, "b:c");
  ASSERT_TRUE(ParseBasicAuth("Basic YTo=", &u, &p));  // "a:"
  EXPECT_EQ(p, "");
  for (const char* bad : {"", "Bearer abc", "Basic", "Basic !!!!", "Basic YWJj",
                          /* "abc": no colon */ "Basic YQ"}) {
    EXPECT_FALSE(ParseBasicAuth(bad, &u, &p)) << bad;
  }
  EXPECT_FALSE(ParseBasicAuth(nullptr, &u, &p));
}

TEST(Bcrypt, VerifiesAllVariants) {
  for (const char* h : {kHash2b, kHash2y, kHash2a}) {
    EXPECT_TRUE(BcryptMatches("s3cret", h)) << h;
    EXPECT_FALSE(BcryptMatches("wrong", h)) << h;
    EXPECT_FALSE(BcryptMatches(std::string("s3cret\0x", 8), h)) << h;
  }
}

std::string TempFile(const std::string& text) {
  std::string templ = TestTmpDir() + "/web_config_test_XXXXXX";
  std::vector<char> path(templ.begin(), templ.end());
  path.push_back('\0');
  int fd = mkstemp(path.data());
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path.data()) << text;
  return path.data();
}

TEST(AuthenticatorTest, ChecksAndReloadsUsers) {
  std::string path =
      TempFile("basic_auth_users:\n  alice: " + std::string(kHash2b) + "\n");
  WebConfig c;
  std::string err;
  ASSERT_TRUE(LoadWebConfig(path, &c, &err)) << err;
  Authenticator auth(path, c);
  EXPECT_TRUE(auth.Enabled());
  EXPECT_TRUE(auth.Check("Basic YWxpY2U6czNjcmV0"));   // alice:s3cret
  EXPECT_TRUE(auth.Check("Basic YWxpY2U6czNjcmV0"));   // cached
  EXPECT_FALSE(auth.Check("Basic YWxpY2U6d3Jvbmc="));  // alice:wrong
  EXPECT_FALSE(auth.Check(nullptr));
  EXPECT_FALSE(auth.Check("Basic Ym9iOnMzY3JldA=="));  // bob:s3cret

  std::ofstream(path) << "basic_auth_users:\n  bob: " << kHash2y << "\n";
  EXPECT_TRUE(auth.MaybeReload(/*force=*/true));
  EXPECT_TRUE(auth.Check("Basic Ym9iOnMzY3JldA=="));
  EXPECT_FALSE(auth.Check("Basic YWxpY2U6czNjcmV0"));  // cache dropped too

  // A broken file keeps the previous users.
  std::ofstream(path) << "basic_auth_users: [\n";
  EXPECT_FALSE(auth.MaybeReload(/*force=*/true));
  EXPECT_TRUE(auth.Check("Basic Ym9iOnMzY3JldA=="));
  std::remove(path.c_str());
}

TEST(AuthenticatorTest, NoUsersMeansOpen) {
  Authenticator auth("", WebConfig{});
  EXPECT_FALSE(auth.Enabled());
  EXPECT_TRUE(auth.Check(nullptr));
}

TEST(TlsCheck, ReportsMissingFiles) {
  TlsConfig tls;
  tls.enabled = true;
  tls.cert_file = "/nonexistent/server.crt";
  tls.key_file = "/nonexistent/server.key";
  std::string err;
  EXPECT_FALSE(CheckTlsConfig(tls, &err));
  EXPECT_EQ(err.rfind("cert_file /nonexistent/server.crt: ", 0), 0u) << err;
}

TEST(WebConfigLoad, FifoAndDevicesAreRefusedNotWaitedOn) {
  // A FIFO with no writer would block an ifstream's open for ever, and with
  // it the exporter's start and SIGTERM.
  std::string fifo = TestTmpDir() + "/web-config.fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  WebConfig c;
  std::string err;
  EXPECT_FALSE(LoadWebConfig(fifo, &c, &err));
  EXPECT_NE(err.find("is a FIFO, not a regular file"), std::string::npos)
      << err;
  EXPECT_FALSE(LoadWebConfig("/dev/zero", &c, &err));
  EXPECT_NE(err.find("character device"), std::string::npos) << err;
  ::unlink(fifo.c_str());
}

}  // namespace
}  // namespace web
}  // namespace memwatch
