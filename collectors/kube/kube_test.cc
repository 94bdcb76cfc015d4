#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "collectors/kube/collector.h"
#include "collectors/kube/names.h"
#include "collectors/kubeapi/client.h"
#include "collectors/kubeapi/config.h"

namespace memwatch::kube {
namespace {

kubeapi::GetEnv Env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

TEST(Config, InClusterFromEnvironment) {
  kubeapi::KubeFlags flags;
  kubeapi::KubeConfig config;
  ASSERT_EQ(
      kubeapi::BuildKubeConfig(flags,
                               Env({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                    {"KUBERNETES_SERVICE_PORT", "443"},
                                    {"NODE_NAME", "worker-1"}}),
                               &config),
      "");
  EXPECT_EQ(config.client.api_url, "https://10.96.0.1:443");
  EXPECT_EQ(config.client.node_name, "worker-1");
  EXPECT_EQ(config.client.token_file, kubeapi::kDefaultTokenFile);
  EXPECT_EQ(config.refresh_seconds, 60);
  EXPECT_EQ(config.max_backoff_seconds, 60);

  ASSERT_EQ(
      kubeapi::BuildKubeConfig(
          flags,
          Env({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"NODE_NAME", "n"}}),
          &config),
      "");
  EXPECT_EQ(config.client.api_url, "https://[fd00::1]:443");
}

TEST(Config, FlagsWinOverEnvironment) {
  kubeapi::KubeFlags flags;
  flags.api_url = "http://127.0.0.1:8001";
  flags.node_name = "flag-node";
  flags.ca_file = "";
  flags.refresh_interval = 5;
  kubeapi::KubeConfig config;
  ASSERT_EQ(kubeapi::BuildKubeConfig(flags, Env({{"NODE_NAME", "env-node"}}),
                                     &config),
            "");
  EXPECT_EQ(config.client.api_url, "http://127.0.0.1:8001");
  EXPECT_EQ(config.client.node_name, "flag-node");
  EXPECT_EQ(config.client.ca_file, "");
  EXPECT_EQ(config.max_backoff_seconds, 5);
}

TEST(Config, BadCombinationsNameTheFlag) {
  struct Case {
    kubeapi::KubeFlags flags;
    std::map<std::string, std::string> env;
    std::string error_part;
  };
  kubeapi::KubeFlags ok;
  ok.api_url = "http://127.0.0.1:1";
  ok.node_name = "n";
  auto with = [&](auto change) {
    kubeapi::KubeFlags f = ok;
    change(&f);
    return f;
  };
  Case cases[] = {
      {with([](kubeapi::KubeFlags* f) { f->api_url = ""; }),
       {},
       "--kubernetes.api-url"},
      {with([](kubeapi::KubeFlags* f) { f->api_url = "ftp://x"; }),
       {},
       "--kubernetes.api-url"},
      {with([](kubeapi::KubeFlags* f) { f->api_url = "http://x/?a=b"; }),
       {},
       "--kubernetes.api-url"},
      {with([](kubeapi::KubeFlags* f) { f->node_name = ""; }),
       {},
       "--kubernetes.node-name"},
      {with(
           [](kubeapi::KubeFlags* f) { f->node_name = std::string(254, 'n'); }),
       {},
       "--kubernetes.node-name"},
      {with([](kubeapi::KubeFlags* f) { f->refresh_interval = 0.5; }),
       {},
       "--kubernetes.refresh-interval"},
      {with([](kubeapi::KubeFlags* f) { f->refresh_interval = 1e9; }),
       {},
       "--kubernetes.refresh-interval"},
      {with([](kubeapi::KubeFlags* f) { f->ca_file = "/nonexistent/ca.crt"; }),
       {},
       "--kubernetes.ca-file"},
  };
  for (const Case& c : cases) {
    kubeapi::KubeConfig config;
    std::string err = kubeapi::BuildKubeConfig(c.flags, Env(c.env), &config);
    EXPECT_NE(err.find(c.error_part), std::string::npos)
        << c.error_part << " -> " << err;
  }
  // The default CA path absent (out of cluster) falls back to system CAs.
  kubeapi::KubeConfig config;
  EXPECT_EQ(kubeapi::BuildKubeConfig(ok, Env({}), &config), "");
  EXPECT_EQ(config.client.ca_file, "");
}

TEST(Client, UrlEncodesTheNodeName) {
  EXPECT_EQ(kubeapi::PodListUrl("https://10.96.0.1:443/", "worker-1"),
            "https://10.96.0.1:443/api/v1/pods?fieldSelector=spec.nodeName%"
            "3Dworker-1");
  EXPECT_EQ(kubeapi::PodListUrl("http://h", "a b&c"),
            "http://h/api/v1/pods?fieldSelector=spec.nodeName%3Da%20b%26c");
}

TEST(Client, NothingListeningIsANetworkError) {
  std::string init_error;
  ASSERT_TRUE(kubeapi::InitHttpClient(&init_error)) << init_error;
  kubeapi::ClientOptions options;
  // Port 1 on loopback: refused at once, nothing to wait for.
  options.api_url = "http://127.0.0.1:1";
  options.node_name = "n";
  kubeapi::FetchResult r = kubeapi::FetchPodList(options);
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kNetworkError);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_FALSE(r.error.empty());
}

TEST(Client, MissingTokenIsATokenError) {
  kubeapi::ClientOptions options;
  options.api_url = "http://127.0.0.1:1";
  options.node_name = "n";
  options.token_file = "/nonexistent/token";
  kubeapi::FetchResult r = kubeapi::FetchPodList(options);
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kTokenError);
  EXPECT_NE(r.error.find("/nonexistent/token"), std::string::npos) << r.error;
}

// A one-shot HTTP server on a free loopback port: answers the first request
// with `response` (raw bytes), optionally after a delay.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response, int delay_ms = 0,
                         int answers = 1) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(listen(fd_, 1), 0);
    thread_ = std::thread([this, response, delay_ms, answers] {
      for (int i = 0; i < answers; ++i) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = read(c, buf, sizeof(buf));
          if (n <= 0) break;
          req.append(buf, n);
        }
        request_ = req;
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        size_t off = 0;
        while (off < response.size()) {
          ssize_t n = send(c, response.data() + off, response.size() - off,
                           MSG_NOSIGNAL);
          if (n <= 0) break;  // the client gave up (size cap, timeout)
          off += n;
        }
        close(c);
      }
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  const std::string& request() const { return request_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

std::string Http(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

kubeapi::ClientOptions Options(const std::string& url) {
  kubeapi::ClientOptions o;
  o.api_url = url;
  o.node_name = "worker-1";
  o.total_timeout_ms = 5000;
  return o;
}

TEST(Client, ListsPods) {
  std::string init_error;
  ASSERT_TRUE(kubeapi::InitHttpClient(&init_error)) << init_error;
  OneShotServer server(Http(
      200, R"({"kind":"PodList","items":[{"metadata":{"uid":"u","name":"p",)"
           R"("namespace":"n"}}]})"));
  kubeapi::FetchResult r = kubeapi::FetchPodList(Options(server.url()));
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kSuccess) << r.error;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.pods.pods.at("u").pod, "p");
  EXPECT_NE(server.request().find(
                "GET /api/v1/pods?fieldSelector=spec.nodeName%3Dworker-1 "),
            std::string::npos)
      << server.request();
}

TEST(Client, StatusAnswerIsAnHttpErrorWithItsMessage) {
  OneShotServer server(
      Http(401, R"({"kind":"Status","message":"Unauthorized","code":401})"));
  kubeapi::FetchResult r = kubeapi::FetchPodList(Options(server.url()));
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kHttpError);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_NE(r.error.find("Unauthorized"), std::string::npos) << r.error;
}

TEST(Client, NotJsonIsAParseError) {
  OneShotServer server(Http(200, "<html>proxy error</html>"));
  kubeapi::FetchResult r = kubeapi::FetchPodList(Options(server.url()));
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kParseError);
}

TEST(Client, BodyOverTheCapIsRefused) {
  // Announced too large (Content-Length) ...
  OneShotServer announced(Http(200, std::string(5000, ' ')));
  kubeapi::ClientOptions o = Options(announced.url());
  o.max_bytes = 1000;
  kubeapi::FetchResult r = kubeapi::FetchPodList(o);
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kNetworkError);
  EXPECT_NE(r.error.find("larger than 1000"), std::string::npos) << r.error;
  // ... or not announced: cut off while reading.
  OneShotServer streamed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" +
                         std::string(5000, ' '));
  o.api_url = streamed.url();
  r = kubeapi::FetchPodList(o);
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kNetworkError);
  EXPECT_NE(r.error.find("larger than 1000"), std::string::npos) << r.error;
}

TEST(Client, SlowServerTimesOut) {
  OneShotServer server(Http(200, "{\"items\":[]}"), /*delay_ms=*/2000);
  kubeapi::ClientOptions o = Options(server.url());
  o.total_timeout_ms = 200;
  kubeapi::FetchResult r = kubeapi::FetchPodList(o);
  EXPECT_EQ(r.outcome, kubeapi::Outcome::kNetworkError);
  EXPECT_NE(r.error.find("no answer within"), std::string::npos) << r.error;
}

// The success count memwatch_kubernetes_requests_total shows.
double Successes(KubeCollector* c) {
  std::vector<prometheus::MetricFamily> out;
  c->Collect(&out);
  for (const auto& f : out) {
    if (f.name != "memwatch_kubernetes_requests_total") continue;
    for (const auto& m : f.metric) {
      if (m.label.at(0).value == "success") return m.counter.value;
    }
  }
  return -1;
}

TEST(Collector, ListsOnItsThreadAndStops) {
  std::string init_error;
  ASSERT_TRUE(kubeapi::InitHttpClient(&init_error)) << init_error;
  OneShotServer server(Http(200, R"({"kind":"PodList","items":[]})"));
  kubeapi::KubeConfig config;
  config.client = Options(server.url());
  config.refresh_seconds = 3600;  // one list, then Stop must not wait an hour
  KubeCollector c(config, "", nullptr);
  std::string error;
  ASSERT_TRUE(c.Start(&error)) << error;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Successes(&c) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Successes(&c), 1);
  c.Stop();  // wakes the wait at once (else the test times out)
}

// Keeps the name source the collector hands to the resolver.
class NamesSink : public targets::Resolver {
 public:
  std::vector<targets::Target> Resolve() override { return {}; }
  void SetKubeNames(
      std::shared_ptr<const targets::KubeNameSource> names) override {
    names_ = std::move(names);
  }
  std::shared_ptr<const targets::KubeNameSource> names_;
};

TEST(Collector, AnUnknownContainerAsksForAnEarlyList) {
  std::string init_error;
  ASSERT_TRUE(kubeapi::InitHttpClient(&init_error)) << init_error;
  OneShotServer server(Http(200, R"({"kind":"PodList","items":[]})"), 0, 2);
  kubeapi::KubeConfig config;
  config.client = Options(server.url());
  config.refresh_seconds = 3600;
  auto sink = std::make_shared<NamesSink>();
  KubeCollector c(config, "", sink);
  std::string error;
  ASSERT_TRUE(c.Start(&error)) << error;
  ASSERT_TRUE(sink->names_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Successes(&c) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Successes(&c), 1);
  sink->names_->RequestRefresh();  // what the resolver does
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Successes(&c) < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Successes(&c), 2);  // not an hour later
  c.Stop();
}

TEST(Collector, ConfigErrorFailsStart) {
  KubeCollector c(kubeapi::KubeConfig{}, "--kubernetes.node-name is empty",
                  nullptr);
  std::string error;
  EXPECT_FALSE(c.Start(&error));
  EXPECT_EQ(error, "--kubernetes.node-name is empty");
  c.Stop();  // nothing started: returns at once
}

TEST(NameStore, LooksUpPodAndContainer) {
  NameStore store;
  EXPECT_FALSE(store.Lookup("u", "c"));  // nothing listed yet
  kubeapi::PodIndex index;
  index.pod_count = 1;
  index.pods["u"] = kubeapi::PodNames{"ns", "pod", {{"c", "main"}}};
  index.pods["x"] = kubeapi::PodNames{"ns", "skip", {{"c", "main"}}};
  index.pods["x"].excluded = true;
  store.Update(index);
  EXPECT_TRUE(store.Lookup("x", "c")->excluded);
  EXPECT_FALSE(store.Lookup("u", "c")->excluded);
  EXPECT_EQ(store.PodCount(), 1u);
  auto n = store.Lookup("u", "c");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->namespace_name, "ns");
  EXPECT_EQ(n->pod, "pod");
  EXPECT_EQ(n->container, "main");
  n = store.Lookup("u", "other");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->pod, "pod");
  EXPECT_EQ(n->container, "");
  EXPECT_FALSE(store.Lookup("v", "c"));
  EXPECT_FALSE(store.Lookup("", ""));
  // The pod's memwatch.io/pprof-port goes with its names.
  EXPECT_EQ(n->pprof_port, 0);
  kubeapi::PodNames go{"ns", "go", {}};
  go.pprof_port = 6060;
  index.pods["g"] = go;
  store.Update(index);
  EXPECT_EQ(store.Lookup("g", "any")->pprof_port, 6060);
}

}  // namespace
}  // namespace memwatch::kube
