#include "collectors/inspector/inspector_client.h"

#include <civetweb.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

namespace memwatch::inspector {
namespace {

constexpr int kDefaultPort = 9229;
constexpr size_t kMaxJsonListBytes = 256 * 1024;
constexpr size_t kMaxQueuedBytes = 8u << 20;  // back-pressure on the socket

std::optional<int> ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return v;
}

// Chunks from the WebSocket thread to the parsing thread.
struct Session {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> chunks;
  size_t queued = 0;
  bool done = false;  // response to takeHeapSnapshot, or closed
  std::string error;
  size_t max_message_bytes = 0;
};

int OnData(mg_connection*, int bits, char* data, size_t len, void* user) {
  auto* s = static_cast<Session*>(user);
  const int opcode = bits & 0x0f;
  if (opcode != MG_WEBSOCKET_OPCODE_TEXT) return 1;  // pings, binary: ignore
  std::unique_lock<std::mutex> lock(s->mu);
  if (s->done) return 0;
  if (len > s->max_message_bytes) {
    s->error = "inspector message over " +
               std::to_string(s->max_message_bytes) + " bytes";
    s->done = true;
    s->cv.notify_all();
    return 0;
  }
  lock.unlock();
  nlohmann::json msg = nlohmann::json::parse(data, data + len, nullptr,
                                             /*allow_exceptions=*/false);
  lock.lock();
  if (msg.is_discarded() || !msg.is_object()) {
    s->error = "inspector sent invalid JSON";
    s->done = true;
  } else if (msg.value("method", "") == "HeapProfiler.addHeapSnapshotChunk") {
    const auto& chunk = msg["params"]["chunk"];
    if (chunk.is_string()) {
      // Wait for the parser to catch up rather than queue without bound.
      s->cv.wait(lock, [&] { return s->done || s->queued < kMaxQueuedBytes; });
      s->queued += chunk.get_ref<const std::string&>().size();
      s->chunks.push_back(chunk.get<std::string>());
    }
  } else if (msg.contains("id") && msg["id"] == 1) {
    if (msg.contains("error")) {
      s->error = "inspector: " + msg["error"].dump();
    }
    s->done = true;
  }
  s->cv.notify_all();
  return s->done ? 0 : 1;
}

void OnClose(const mg_connection*, void* user) {
  auto* s = static_cast<Session*>(user);
  std::lock_guard<std::mutex> lock(s->mu);
  if (!s->done && s->error.empty()) {
    s->error = "inspector closed the connection before the snapshot ended";
  }
  s->done = true;
  s->cv.notify_all();
}

std::optional<std::string> GetJsonList(int port, std::string* error) {
  char ebuf[256] = "";
  mg_connection* conn = mg_download(
      "127.0.0.1", port, 0, ebuf, sizeof(ebuf),
      "GET /json/list HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", port);
  if (conn == nullptr) {
    *error = "inspector: cannot GET http://127.0.0.1:" + std::to_string(port) +
             "/json/list: " + ebuf;
    return std::nullopt;
  }
  std::string body;
  char buf[8192];
  int n;
  while ((n = mg_read(conn, buf, sizeof(buf))) > 0) {
    body.append(buf, n);
    if (body.size() > kMaxJsonListBytes) {
      mg_close_connection(conn);
      *error = "inspector: /json/list over 256 KiB";
      return std::nullopt;
    }
  }
  mg_close_connection(conn);
  return body;
}

}  // namespace

std::optional<int> InspectPortFromCmdline(
    const std::vector<std::string>& argv) {
  std::optional<int> port;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (a.empty() || a[0] != '-' || a == "-" || a == "--") break;
    if (a == "-e" || a == "--eval" || a == "-p" || a == "--print" ||
        a == "-r" || a == "--require") {
      ++i;  // takes a value; the script follows it
      continue;
    }
    std::string_view v;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    if (a == "--inspect" || a == "--inspect-brk" || a == "--inspect-wait") {
      if (!has_value) {
        if (!port) port = kDefaultPort;
        continue;
      }
      if (auto colon = v.rfind(':'); colon != std::string_view::npos) {
        v = v.substr(colon + 1);
      } else if (v.find('.') != std::string_view::npos) {
        if (!port) port = kDefaultPort;  // host only
        continue;
      }
      auto p = ParsePort(v);
      if (!p) return std::nullopt;
      port = p;
    } else if (a == "--inspect-port" || a == "--debug-port") {
      auto p = has_value ? ParsePort(v) : std::nullopt;
      if (!p) return std::nullopt;
      port = p;
    }
  }
  return port;
}

std::optional<std::string> DebuggerPathFromJsonList(std::string_view body,
                                                    std::string* error) {
  nlohmann::json list = nlohmann::json::parse(body.begin(), body.end(), nullptr,
                                              /*allow_exceptions=*/false);
  if (list.is_discarded() || !list.is_array()) {
    *error = "inspector: /json/list is not a JSON array";
    return std::nullopt;
  }
  for (const auto& target : list) {
    if (!target.is_object()) continue;
    auto it = target.find("webSocketDebuggerUrl");
    if (it == target.end() || !it->is_string()) continue;
    const std::string& url = it->get_ref<const std::string&>();
    if (url.rfind("ws://", 0) != 0) continue;
    auto slash = url.find('/', 5);
    if (slash == std::string::npos) continue;
    std::string path = url.substr(slash);
    if (path.size() > 256) continue;
    return path;
  }
  *error = "inspector: no target with a webSocketDebuggerUrl in /json/list";
  return std::nullopt;
}

std::optional<HeapSnapshot> TakeHeapSnapshot(int port,
                                             const ClientOptions& options,
                                             std::string* error) {
  static const bool initialized = (mg_init_library(0), true);  // once
  (void)initialized;
  auto body = GetJsonList(port, error);
  if (!body) return std::nullopt;
  auto path = DebuggerPathFromJsonList(*body, error);
  if (!path) return std::nullopt;

  auto session = std::make_shared<Session>();
  session->max_message_bytes = options.max_message_bytes;
  char ebuf[256] = "";
  mg_connection* conn = mg_connect_websocket_client(
      "127.0.0.1", port, 0, ebuf, sizeof(ebuf), path->c_str(), nullptr, OnData,
      OnClose, session.get());
  if (conn == nullptr) {
    *error = "inspector: WebSocket to 127.0.0.1:" + std::to_string(port) +
             *path + " failed: " + ebuf;
    return std::nullopt;
  }
  const std::string request =
      R"({"id":1,"method":"HeapProfiler.takeHeapSnapshot",)"
      R"("params":{"reportProgress":false}})";
  if (mg_websocket_client_write(conn, MG_WEBSOCKET_OPCODE_TEXT, request.data(),
                                request.size()) <= 0) {
    mg_close_connection(conn);
    *error = "inspector: cannot send HeapProfiler.takeHeapSnapshot";
    return std::nullopt;
  }

  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(
                            options.timeout_seconds * 1000));
  bool timed_out = false;
  std::string current;
  size_t current_pos = 0;
  ReadFn read = [&](char* buf, size_t cap) -> size_t {
    while (current_pos == current.size()) {
      std::unique_lock<std::mutex> lock(session->mu);
      if (!session->cv.wait_until(lock, deadline, [&] {
            return !session->chunks.empty() || session->done;
          })) {
        timed_out = true;
        session->done = true;
        session->cv.notify_all();
        return 0;
      }
      if (session->chunks.empty()) return 0;  // done
      current = std::move(session->chunks.front());
      session->chunks.pop_front();
      session->queued -= current.size();
      current_pos = 0;
      session->cv.notify_all();
    }
    size_t n = std::min(cap, current.size() - current_pos);
    std::memcpy(buf, current.data() + current_pos, n);
    current_pos += n;
    return n;
  };
  auto snapshot = ParseHeapSnapshot(read, options.limits, error);
  {
    // Unblock the WebSocket thread if the parser stopped early.
    std::lock_guard<std::mutex> lock(session->mu);
    session->done = true;
    session->cv.notify_all();
  }
  mg_close_connection(conn);  // joins the WebSocket thread
  if (timed_out) {
    *error = "inspector: no complete heap snapshot within " +
             std::to_string(static_cast<int>(options.timeout_seconds)) + "s";
    return std::nullopt;
  }
  if (!session->error.empty() && !snapshot) {
    *error = session->error;
    return std::nullopt;
  }
  return snapshot;
}

}  // namespace memwatch::inspector
