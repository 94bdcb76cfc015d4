#include "collectors/inspector/inspector_client.h"

#include <civetweb.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/httpclient/http_get.h"

namespace memwatch::inspector {
namespace {

constexpr size_t kMaxJsonListBytes = size_t{256} * 1024;

using Clock = std::chrono::steady_clock;

// "5s", "0.5s": for error messages.
std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%gs", s);
  return buf;
}

Clock::time_point After(double seconds) {
  return Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(
                            std::max(0.0, seconds) * 1000));
}
constexpr size_t kMaxQueuedBytes = 8u << 20;  // back-pressure on the socket

// Chunks from the WebSocket thread to the parsing thread.
struct Session {
  Mutex mu;
  CondVar cv;
  std::deque<std::string> chunks GUARDED_BY(mu);
  size_t queued GUARDED_BY(mu) = 0;
  bool done GUARDED_BY(mu) = false;  // response to takeHeapSnapshot, or closed
  std::string error GUARDED_BY(mu);
  size_t max_message_bytes = 0;  // set before the WebSocket thread starts
  Clock::time_point last_message GUARDED_BY(mu);  // for the idle deadline
};

int OnData(mg_connection*, int bits, char* data, size_t len, void* user) {
  auto* s = static_cast<Session*>(user);
  const int opcode = bits & 0x0f;
  {
    MutexLock lock(&s->mu);
    s->last_message = Clock::now();
    if (opcode != MG_WEBSOCKET_OPCODE_TEXT) return 1;  // pings, binary: ignore
    if (s->done) return 0;
    if (len > s->max_message_bytes) {
      s->error = "inspector message over " +
                 std::to_string(s->max_message_bytes) + " bytes";
      s->done = true;
      s->cv.NotifyAll();
      return 0;
    }
  }
  // Parsed without the lock: the parser thread keeps draining meanwhile.
  nlohmann::json msg = nlohmann::json::parse(data, data + len, nullptr,
                                             /*allow_exceptions=*/false);
  MutexLock lock(&s->mu);
  if (msg.is_discarded() || !msg.is_object()) {
    s->error = "inspector sent invalid JSON";
    s->done = true;
  } else if (msg.value("method", "") == "HeapProfiler.addHeapSnapshotChunk") {
    const auto& chunk = msg["params"]["chunk"];
    if (chunk.is_string()) {
      // Wait for the parser to catch up rather than queue without bound.
      while (!s->done && s->queued >= kMaxQueuedBytes) s->cv.Wait(&s->mu);
      s->queued += chunk.get_ref<const std::string&>().size();
      s->chunks.push_back(chunk.get<std::string>());
    }
  } else if (msg.contains("id") && msg["id"] == 1) {
    if (msg.contains("error")) {
      s->error = "inspector: " + msg["error"].dump();
    }
    s->done = true;
  }
  s->cv.NotifyAll();
  return s->done ? 0 : 1;
}

void OnClose(const mg_connection*, void* user) {
  auto* s = static_cast<Session*>(user);
  MutexLock lock(&s->mu);
  if (!s->done && s->error.empty()) {
    s->error = "inspector closed the connection before the snapshot ended";
  }
  s->done = true;
  s->cv.NotifyAll();
}

// GET /json/list with the HTTP client: connect, request and answer within
// timeout_seconds, the answer bounded in size.
std::optional<std::string> GetJsonList(int port, double timeout_seconds,
                                       std::string* error) {
  httpclient::Request request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/json/list";
  request.total_timeout_ms =
      static_cast<long>(std::max(0.001, timeout_seconds) * 1000);
  request.connect_timeout_ms = request.total_timeout_ms;
  request.max_bytes = kMaxJsonListBytes;
  httpclient::Response response;
  httpclient::Failure failure;
  std::string why;
  const std::string where = "inspector: cannot GET " + request.url + ": ";
  if (!httpclient::Get(request, &response, &failure, &why)) {
    *error = where + why;
    return std::nullopt;
  }
  if (response.status != 200) {
    *error = where + "HTTP " + std::to_string(response.status);
    return std::nullopt;
  }
  return std::move(response.body);
}

}  // namespace

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

namespace {

// The parser's ReadFn: chunks the WebSocket thread queued, until the answer
// to takeHeapSnapshot, the deadline, the idle deadline or a cancel.
class ChunkReader {
 public:
  enum class Stop { kNone, kCancelled, kTimedOut, kIdle };
  ChunkReader(Session* session, const ClientOptions& options,
              Clock::time_point deadline)
      : session_(session),
        cancel_(options.cancel),
        deadline_(deadline),
        idle_(std::chrono::milliseconds(static_cast<int64_t>(
            std::max(0.0, options.idle_timeout_seconds) * 1000))) {}

  size_t Read(char* buf, size_t cap) {
    while (pos_ == current_.size()) {
      if (!Next()) return 0;
    }
    size_t n = std::min(cap, current_.size() - pos_);
    std::memcpy(buf, current_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  Stop stopped() const { return stopped_; }

 private:
  // The next chunk into current_; false at the end.
  bool Next() {
    MutexLock lock(&session_->mu);
    while (session_->chunks.empty() && !session_->done) {
      const auto now = Clock::now();
      Stop stop = Stop::kNone;
      if (cancel_ != nullptr && cancel_->load()) {
        stop = Stop::kCancelled;
      } else if (now >= deadline_) {
        stop = Stop::kTimedOut;
      } else if (now >= session_->last_message + idle_) {
        stop = Stop::kIdle;
      }
      if (stop != Stop::kNone) {
        stopped_ = stop;
        session_->done = true;
        session_->cv.NotifyAll();
        return false;
      }
      // Wakes at least every 0.2 s to look at the cancel flag.
      session_->cv.WaitUntil(
          &session_->mu, std::min({deadline_, session_->last_message + idle_,
                                   now + std::chrono::milliseconds(200)}));
    }
    if (session_->chunks.empty()) return false;  // done
    current_ = std::move(session_->chunks.front());
    session_->chunks.pop_front();
    session_->queued -= current_.size();
    pos_ = 0;
    session_->cv.NotifyAll();
    return true;
  }

  Session* const session_;
  const std::atomic<bool>* const cancel_;
  const Clock::time_point deadline_;
  const std::chrono::milliseconds idle_;
  std::string current_;
  size_t pos_ = 0;
  Stop stopped_ = Stop::kNone;
};

// Opens the WebSocket and asks for a snapshot; nullptr and why on failure.
mg_connection* RequestSnapshot(int port, const std::string& path,
                               Session* session, std::string* error) {
  {
    MutexLock lock(&session->mu);
    session->last_message = Clock::now();
  }
  char ebuf[256] = "";
  mg_connection* conn = mg_connect_websocket_client(
      "127.0.0.1", port, 0, ebuf, sizeof(ebuf), path.c_str(), nullptr, OnData,
      OnClose, session);
  if (conn == nullptr) {
    *error = "inspector: WebSocket to 127.0.0.1:" + std::to_string(port) +
             path + " failed: " + ebuf;
    return nullptr;
  }
  const std::string request =
      R"({"id":1,"method":"HeapProfiler.takeHeapSnapshot",)"
      R"("params":{"reportProgress":true}})";  // progress: activity
  if (mg_websocket_client_write(conn, MG_WEBSOCKET_OPCODE_TEXT, request.data(),
                                request.size()) <= 0) {
    mg_close_connection(conn);
    *error = "inspector: cannot send HeapProfiler.takeHeapSnapshot";
    return nullptr;
  }
  MutexLock lock(&session->mu);
  session->last_message = Clock::now();  // the idle clock starts now
  return conn;
}

}  // namespace

namespace {

// A snapshot over the inspector, handed as it streams to `parse` (which
// reads it with the ReadFn it is given): whole, or reduced to totals.
template <typename T>
std::optional<T> TakeAndParse(
    int port, const ClientOptions& options,
    const std::function<std::optional<T>(const v8heap::ReadFn&, std::string*)>&
        parse,
    std::string* error) {
  static const bool initialized = (mg_init_library(0), true);  // once
  (void)initialized;
  const auto deadline = After(options.timeout_seconds);
  auto body = GetJsonList(
      port, std::min(options.http_timeout_seconds, options.timeout_seconds),
      error);
  if (!body) return std::nullopt;
  auto path = DebuggerPathFromJsonList(*body, error);
  if (!path) return std::nullopt;

  auto session = std::make_shared<Session>();
  session->max_message_bytes = options.max_message_bytes;
  mg_connection* conn = RequestSnapshot(port, *path, session.get(), error);
  if (conn == nullptr) return std::nullopt;
  ChunkReader reader(session.get(), options, deadline);
  auto snapshot = parse(
      [&](char* buf, size_t cap) { return reader.Read(buf, cap); }, error);
  {
    // Unblock the WebSocket thread if the parser stopped early.
    MutexLock lock(&session->mu);
    session->done = true;
    session->cv.NotifyAll();
  }
  mg_close_connection(conn);  // joins the WebSocket thread
  switch (reader.stopped()) {
    case ChunkReader::Stop::kCancelled:
      *error = "inspector: heap snapshot cancelled";
      return std::nullopt;
    case ChunkReader::Stop::kTimedOut:
      *error = "inspector: no complete heap snapshot within " +
               Seconds(options.timeout_seconds);
      return std::nullopt;
    case ChunkReader::Stop::kIdle:
      *error = "inspector: silent for " +
               Seconds(options.idle_timeout_seconds) +
               " while taking the heap snapshot";
      return std::nullopt;
    case ChunkReader::Stop::kNone:
      break;
  }
  std::string session_error;
  {
    // The WebSocket thread has ended; the lock is for the analysis.
    MutexLock lock(&session->mu);
    session_error = session->error;
  }
  if (!session_error.empty() && !snapshot) {
    *error = session_error;
    return std::nullopt;
  }
  return snapshot;
}

}  // namespace

std::optional<v8heap::HeapSnapshot> TakeHeapSnapshot(
    int port, const ClientOptions& options, std::string* error) {
  return TakeAndParse<v8heap::HeapSnapshot>(
      port, options,
      [&](const v8heap::ReadFn& read, std::string* err) {
        return v8heap::ParseHeapSnapshot(read, options.limits, err);
      },
      error);
}

std::optional<diff::Counts> TakeConstructorTotals(int port,
                                                  const ClientOptions& options,
                                                  std::string* error) {
  return TakeAndParse<diff::Counts>(
      port, options,
      [&](const v8heap::ReadFn& read, std::string* err) {
        return v8heap::ParseConstructorTotals(read, options.limits, err);
      },
      error);
}

}  // namespace memwatch::inspector
