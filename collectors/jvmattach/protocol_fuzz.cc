// The other readers of what a JVM (or any process) writes: the attach
// reply, /proc/<pid>/status, maps, cmdline and environ.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/jvmattach/facts.h"
#include "collectors/jvmattach/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ja = memwatch::jvmattach;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto reply = ja::ParseReply(text, &error);
  if (reply && reply->output.size() >= text.size()) __builtin_trap();
  if (!reply && error.empty()) __builtin_trap();
  if (ja::OneLine(text).size() > 303) __builtin_trap();
  auto facts = ja::ParseStatusFacts(text, 1, &error);
  if (facts && facts->nspid <= 0) __builtin_trap();
  ja::FlavorFromMaps(text);
  // cmdline, then environ after the first 0xff byte.
  size_t cut = text.find('\xff');
  std::string_view cmdline = text.substr(0, cut);
  std::string_view environ =
      cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1);
  auto options = ja::AllJvmOptions(cmdline, environ);
  for (const auto& o : options) {
    if (o.empty()) __builtin_trap();
  }
  ja::DisableAttachIn(options);
  ja::AttachCapability(text);
  std::vector<std::string> args;
  if (size > 0) args.emplace_back(text.substr(1));
  auto request =
      ja::EncodeRequest(text.substr(0, size > 0 ? 1 : 0), args, &error);
  if (request && request->size() > 1 + 1 + 17 + 3 * 1025) __builtin_trap();
  return 0;
}
