#include "collectors/nativeheap/symbolizer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "collectors/base/read.h"

namespace memwatch::nativeheap {
namespace {

constexpr size_t kMaxProblems = 16;

std::string OffsetName(const std::string& path, uint64_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "+0x%llx",
                static_cast<unsigned long long>(offset));
  return std::string(BaseName(path)) + buf;
}

}  // namespace

Symbolizer::Symbolizer(std::string root_dir, SymbolizerOptions options)
    : root_dir_(std::move(root_dir)), options_(options) {}

Symbolizer::~Symbolizer() {
  for (auto& [path, held] : files_) {
    if (held.fd >= 0) ::close(held.fd);
  }
}

void Symbolizer::Problem(std::string text) {
  if (problems_.size() < kMaxProblems) problems_.push_back(std::move(text));
}

int Symbolizer::OpenMapped(const Mapping& m) {
  std::string error;
  UniqueFd fd = OpenFile(root_dir_ + m.path, &error);
  if (!fd.ok()) {
    Problem(error);
    return -1;
  }
  struct stat st;
  const char* why = nullptr;
  if (::fstat(fd.get(), &st) != 0) {
    why = "cannot stat it";
  } else if (static_cast<uint64_t>(st.st_size) > options_.max_file_bytes) {
    why = "larger than the symbolizer reads";
  } else if (m.inode != 0 && st.st_ino != m.inode) {
    why = "replaced on disk since it was mapped";
  }
  if (why != nullptr) {
    Problem(m.path + ": " + why);
    return -1;
  }
  return fd.Release();  // held until the symbolizer is destroyed
}

void Symbolizer::SetMappings(std::vector<Mapping> mappings) {
  mappings_ = std::move(mappings);
  for (const Mapping& m : mappings_) {
    if (!m.executable || m.path.empty() || m.path[0] != '/' || m.deleted ||
        files_.count(m.path) != 0) {
      continue;
    }
    if (files_.size() >= options_.max_files) {
      Problem("more than " + std::to_string(options_.max_files) +
              " mapped files: the rest are not named");
      return;
    }
    files_[m.path] = Held{OpenMapped(m), m.inode};
  }
}

std::vector<std::string> Symbolizer::Name(
    const std::vector<uint64_t>& addresses, const std::atomic<bool>* cancel) {
  std::vector<std::string> names(addresses.size(), "[unknown]");
  std::map<std::string, std::vector<std::pair<size_t, uint64_t>>> by_file;
  for (size_t i = 0; i < addresses.size(); ++i) {
    const uint64_t look = addresses[i] - 1;  // inside the call instruction
    const Mapping* m = FindExecutableMapping(mappings_, look);
    if (m == nullptr || addresses[i] == 0) continue;
    if (m->path.empty() || m->path[0] != '/') {
      names[i] = m->path.empty() ? "[anon]" : m->path;
      continue;
    }
    const uint64_t offset = look - m->start + m->offset;
    names[i] = OffsetName(m->path, offset);
    by_file[m->path].push_back({i, offset});
  }
  for (const auto& [path, wanted] : by_file) {
    if (cancel != nullptr && cancel->load()) break;
    NameInFile(path, wanted, &names);
  }
  return names;
}

void Symbolizer::NameInFile(
    const std::string& path,
    const std::vector<std::pair<size_t, uint64_t>>& wanted,
    std::vector<std::string>* names) {
  auto it = files_.find(path);
  if (it == files_.end() || it->second.fd < 0) return;
  std::string error;
  auto elf = ElfFile::Read(it->second.fd, options_.elf, &error);
  if (elf == nullptr) {
    Problem(path + ": " + error);
    return;
  }
  if (elf->symbols().truncated()) {
    Problem(path + ": more than " + std::to_string(options_.elf.max_symbols) +
            " symbols, the rest not read");
  }
  for (const auto& [index, offset] : wanted) {
    std::string name = elf->NameAtOffset(offset);
    if (!name.empty()) (*names)[index] = std::move(name);
  }
}

}  // namespace memwatch::nativeheap
