#include "exporter/http_server.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "exporter/gzip.h"
#include "exporter/listen_address.h"

namespace memwatch {
namespace {

HttpServer MakeServer() {
  std::vector<HttpRoute> routes;
  routes.push_back({"/a", {"GET"}, [](const HttpRequest& r) {
                      HttpResponse resp;
                      resp.body = "a:" + (r.query.count("x") ? r.query.at("x")
                                                             : std::string());
                      return resp;
                    }});
  routes.push_back({"/boom", {"GET"}, [](const HttpRequest&) -> HttpResponse {
                      throw std::runtime_error("kaput");
                    }});
  return HttpServer(std::move(routes));
}

TEST(HttpServerDispatch, UnknownPathIs404) {
  auto s = MakeServer();
  EXPECT_EQ(s.Dispatch({"GET", "/nope", {}}).status, 404);
}

TEST(HttpServerDispatch, WrongMethodIs405HeadIsGet) {
  auto s = MakeServer();
  EXPECT_EQ(s.Dispatch({"POST", "/a", {}}).status, 405);
  EXPECT_EQ(s.Dispatch({"DELETE", "/a", {}}).status, 405);
  EXPECT_EQ(s.Dispatch({"HEAD", "/a", {}}).status, 200);
}

TEST(HttpServerDispatch, ThrowingHandlerIs500NotACrash) {
  auto s = MakeServer();
  auto r = s.Dispatch({"GET", "/boom", {}});
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("kaput"), std::string::npos);
}

TEST(QueryString, DecodesAndSplits) {
  auto q = ParseQueryString("pid=12&name=a%20b&flag&x=1+2");
  EXPECT_EQ(q["pid"], "12");
  EXPECT_EQ(q["name"], "a b");
  EXPECT_EQ(q.count("flag"), 1u);
  EXPECT_EQ(q["x"], "1 2");
  EXPECT_TRUE(ParseQueryString("").empty());
}

TEST(Utf8, AcceptsTextRefusesBrokenSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  for (const char* bad :
       {"\xff", "\xc3", "\xc3\x28", "\xc0\xaf" /* overlong */,
        "\xe0\x80\xaf" /* overlong */, "\xed\xa0\x80" /* surrogate */,
        "\xf4\x90\x80\x80" /* > U+10FFFF */, "\xe2\x82"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

TEST(HttpServerAuth, OnlyOpenRoutesSkipCredentialsAndOnlyForGet) {
  std::vector<HttpRoute> routes;
  auto ok = [](const HttpRequest&) { return HttpResponse{}; };
  routes.push_back({"/-/healthy", {"GET"}, ok, /*open_without_auth=*/true});
  routes.push_back({"/metrics", {"GET"}, ok});
  HttpServer s(std::move(routes));
  // No Authenticator (no --web.config.file): nothing needs credentials.
  EXPECT_FALSE(s.NeedsAuth({"GET", "/metrics", {}}));
  EXPECT_FALSE(s.NeedsAuth({"DELETE", "/x", {}}));
}

TEST(ListenAddress, Forms) {
  std::vector<ListenSpec> specs;
  std::string err;
  ASSERT_TRUE(ResolveListenAddresses(":9747", &specs, &err)) << err;
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].Numeric(), "0.0.0.0:9747");
  EXPECT_FALSE(specs[0].optional);
  EXPECT_EQ(specs[1].Numeric(), "[::]:9747");
  EXPECT_TRUE(specs[1].optional);  // hosts without IPv6 still start
  specs.clear();
  ASSERT_TRUE(
      ResolveListenAddresses("127.0.0.1:80\n[::1]:81\n[::]:82", &specs, &err))
      << err;
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].Numeric(), "127.0.0.1:80");
  EXPECT_EQ(specs[1].Numeric(), "[::1]:81");
  EXPECT_EQ(specs[2].Numeric(), "[::]:82");
  EXPECT_TRUE(IsLoopback(specs[0]));
  EXPECT_TRUE(IsLoopback(specs[1]));
  EXPECT_FALSE(IsLoopback(specs[2]));
  specs.clear();
  // A name: every address it has, each optional.
  ASSERT_TRUE(ResolveListenAddresses("localhost:83", &specs, &err)) << err;
  ASSERT_FALSE(specs.empty());
  for (const auto& s : specs) {
    EXPECT_TRUE(IsLoopback(s)) << s.Numeric();
    EXPECT_TRUE(s.optional);
    EXPECT_EQ(s.address, "localhost:83");
  }
  for (const char* bad : {"9747", ":0", ":70000", ":x", "::1:9747", "[::1:9747",
                          "1.2.3.4:", "no-such-host.invalid:80"}) {
    specs.clear();
    err.clear();
    EXPECT_FALSE(ResolveListenAddresses(bad, &specs, &err)) << bad;
    EXPECT_NE(err.find(bad), std::string::npos) << err;
  }
}

TEST(ListenAddress, NotLoopback) {
  std::vector<ListenSpec> specs;
  std::string err;
  ASSERT_TRUE(ResolveListenAddresses(
      "0.0.0.0:1\n10.1.2.3:1\n[::ffff:127.0.0.1]:1", &specs, &err));
  EXPECT_FALSE(IsLoopback(specs[0]));
  EXPECT_FALSE(IsLoopback(specs[1]));
  EXPECT_TRUE(IsLoopback(specs[2]));
}

TEST(HttpServerDispatch, StateChangingRoutesNeedTheAdminSwitch) {
  std::vector<HttpRoute> routes;
  HttpRoute reload{
      "/-/reload", {"POST"}, [](const HttpRequest&) { return HttpResponse{}; }};
  reload.state_changing = true;
  routes.push_back(reload);
  HttpServer off(routes);
  EXPECT_EQ(off.Dispatch({"POST", "/-/reload", {}}).status, 404);
  EXPECT_EQ(off.Dispatch({"GET", "/-/reload", {}}).status, 404);
  HttpServer on(routes);
  HttpServerOptions options;
  options.admin_api = true;
  on.SetOptionsForTest(options);
  EXPECT_EQ(on.Dispatch({"POST", "/-/reload", {}}).status, 200);
  EXPECT_EQ(on.Dispatch({"GET", "/-/reload", {}}).status, 405);
}

TEST(Gzip, RoundTrip) {
  std::string in(10000, 'x'), out;
  ASSERT_TRUE(GzipCompress(in, &out));
  EXPECT_LT(out.size(), in.size());
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x8b);
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string back(in.size(), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(out.data());
  zs.avail_in = out.size();
  zs.next_out = reinterpret_cast<Bytef*>(back.data());
  zs.avail_out = back.size();
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  inflateEnd(&zs);
  EXPECT_EQ(back, in);
}

TEST(Gzip, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip(nullptr));
}

}  // namespace
}  // namespace memwatch
