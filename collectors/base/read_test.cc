#include "collectors/base/read.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "collectors/base/fixtures.h"

namespace memwatch {
namespace {

std::string WriteFile(const std::string& name, const std::string& content) {
  std::string path = TestTmpDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(ReadFile, ReadsSmallFile) {
  std::string path = WriteFile("small", "1234\n");
  std::string out, error;
  ASSERT_TRUE(ReadFile(path, &out, &error, nullptr, 64)) << error;
  EXPECT_EQ(out, "1234\n");
}

TEST(ReadFile, ExactlyAtCapIsFine) {
  std::string path = WriteFile("exact", std::string(64, 'x'));
  std::string out, error;
  ASSERT_TRUE(ReadFile(path, &out, &error, nullptr, 64)) << error;
  EXPECT_EQ(out.size(), 64u);
}

TEST(ReadFile, TooLargeIsAnError) {
  std::string path = WriteFile("large", std::string(65, 'x'));
  std::string out, error;
  EXPECT_FALSE(ReadFile(path, &out, &error, nullptr, 64));
  EXPECT_NE(error.find("larger than 64 bytes"), std::string::npos) << error;
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(ReadFile, MissingFileNamesPathAndErrno) {
  std::string out, error;
  EXPECT_FALSE(ReadFile(TestTmpDir() + "/nope", &out, &error, nullptr, 64));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(ReadFile, DevZeroIsRefusedNotRead) {
  std::string out, error;
  EXPECT_FALSE(ReadFile("/dev/zero", &out, &error, nullptr, 1 << 20));
  EXPECT_NE(error.find("character device"), std::string::npos) << error;
  EXPECT_TRUE(out.empty());
}

TEST(ReadFile, DirectoryIsRefused) {
  std::string out, error;
  EXPECT_FALSE(ReadFile(TestTmpDir(), &out, &error, nullptr, 64));
  EXPECT_NE(error.find("directory"), std::string::npos) << error;
}

TEST(ReadFile, FifoWithoutWriterDoesNotBlock) {
  std::string path = TestTmpDir() + "/fifo";
  unlink(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  std::string out, error;
  EXPECT_FALSE(ReadFile(path, &out, &error, nullptr, 64));
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  unlink(path.c_str());
}

TEST(ReadFileAt, ReadsInsideAHeldDirectoryWithTheSameChecks) {
  const std::string dir = TestTmpDir() + "/held";
  mkdir(dir.c_str(), 0700);
  std::ofstream(dir + "/value") << "42\n";
  std::ofstream(dir + "/big") << std::string(65, 'x');
  const std::string fifo = dir + "/fifo";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string error;
  UniqueFd fd = OpenDirectory(dir, &error);
  ASSERT_TRUE(fd.ok()) << error;
  std::string out;
  ASSERT_TRUE(ReadFileAt(fd.get(), dir, "value", &out, &error, nullptr, 64))
      << error;
  EXPECT_EQ(out, "42\n");
  EXPECT_FALSE(ReadFileAt(fd.get(), dir, "big", &out, &error, nullptr, 64));
  EXPECT_NE(error.find(dir + "/big"), std::string::npos) << error;
  EXPECT_FALSE(ReadFileAt(fd.get(), dir, "fifo", &out, &error, nullptr, 64));
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  EXPECT_FALSE(ReadFileAt(fd.get(), dir, "missing", &out, &error));
  EXPECT_NE(error.find(dir + "/missing"), std::string::npos) << error;
  EXPECT_FALSE(OpenDirectory(dir + "/value").ok());  // not a directory
  unlink(fifo.c_str());
}

TEST(ReadFile, ProcFilesReportingSizeZeroAreReadToEof) {
  // /proc files report size 0 but are regular: read to EOF within the cap.
  std::string out, error;
  ASSERT_TRUE(ReadFile("/proc/self/stat", &out, &error, nullptr, 4096))
      << error;
  EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace memwatch
