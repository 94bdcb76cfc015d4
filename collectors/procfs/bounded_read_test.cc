#include "collectors/procfs/bounded_read.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace memwatch::procfs {
namespace {

std::string TempDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d ? d : "/tmp";
}

std::string WriteFile(const std::string& name, const std::string& content) {
  std::string path = TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(ReadRegularFile, ReadsSmallFile) {
  std::string path = WriteFile("small", "1234\n");
  std::string out, error;
  ASSERT_TRUE(ReadRegularFile(path, 64, &out, &error)) << error;
  EXPECT_EQ(out, "1234\n");
}

TEST(ReadRegularFile, ExactlyAtCapIsFine) {
  std::string path = WriteFile("exact", std::string(64, 'x'));
  std::string out, error;
  ASSERT_TRUE(ReadRegularFile(path, 64, &out, &error)) << error;
  EXPECT_EQ(out.size(), 64u);
}

TEST(ReadRegularFile, TooLargeIsAnError) {
  std::string path = WriteFile("large", std::string(65, 'x'));
  std::string out, error;
  EXPECT_FALSE(ReadRegularFile(path, 64, &out, &error));
  EXPECT_NE(error.find("larger than 64 bytes"), std::string::npos) << error;
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(ReadRegularFile, MissingFileNamesPathAndErrno) {
  std::string out, error;
  EXPECT_FALSE(ReadRegularFile(TempDir() + "/nope", 64, &out, &error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(ReadRegularFile, DevZeroIsRefusedNotRead) {
  std::string out, error;
  EXPECT_FALSE(ReadRegularFile("/dev/zero", 1 << 20, &out, &error));
  EXPECT_NE(error.find("character device"), std::string::npos) << error;
  EXPECT_TRUE(out.empty());
}

TEST(ReadRegularFile, DirectoryIsRefused) {
  std::string out, error;
  EXPECT_FALSE(ReadRegularFile(TempDir(), 64, &out, &error));
  EXPECT_NE(error.find("directory"), std::string::npos) << error;
}

TEST(ReadRegularFile, FifoWithoutWriterDoesNotBlock) {
  std::string path = TempDir() + "/fifo";
  unlink(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  std::string out, error;
  EXPECT_FALSE(ReadRegularFile(path, 64, &out, &error));
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  unlink(path.c_str());
}

TEST(ReadRegularFile, ProcFilesReportingSizeZeroAreReadToEof) {
  // /proc files report size 0 but are regular: read to EOF within the cap.
  std::string out, error;
  ASSERT_TRUE(ReadRegularFile("/proc/self/stat", 4096, &out, &error)) << error;
  EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace memwatch::procfs
