// SPDX-License-Identifier: MIT
// OutputFile (tools/wire/output.cpp): where `wire http get -o FILE` writes.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "output.hpp"
#include "support/temp_dir.hpp"

namespace {

using wire::cli::OutputFile;

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t entries(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

// A regular file: written beside, renamed over it on commit.
TEST(OutputFile, RegularFileIsReplacedOnCommit) {
  wire::test::TempDir dir;
  auto path = dir.path() / "out.bin";
  std::ofstream(path) << "old";
  {
    OutputFile out(path.string());
    out.write("new bytes", 9);
    EXPECT_EQ(read_all(path), "old");  // not yet
    EXPECT_EQ(entries(dir.path()), 2u);  // the temporary file beside it
    out.commit();
  }
  EXPECT_EQ(read_all(path), "new bytes");
  EXPECT_EQ(entries(dir.path()), 1u);
}

// A path that is not a regular file (here a FIFO, as /dev/null is a device) is written in
// place: nothing is created beside it and it is still a FIFO afterwards. Before, a temporary
// file renamed over it replaced it: `wire http get URL -o /dev/null` run as root put a
// regular file at /dev/null (and bench/http_get.sh does exactly that).
TEST(OutputFile, NonRegularFileIsWrittenInPlace) {
  wire::test::TempDir dir;
  auto fifo = dir.path() / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The reading end first, without waiting for a writer; the pipe's buffer holds the bytes.
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  {
    OutputFile out(fifo.string());
    out.write("through the pipe", 16);
    out.commit();
  }
  char got[32] = {};
  EXPECT_EQ(::read(reader, got, sizeof got), 16);  // a renamed file would have left it empty
  ::close(reader);
  EXPECT_EQ(std::string(got), "through the pipe");
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(entries(dir.path()), 1u);
}

// A directory is refused when the output is opened, not after the body was downloaded.
TEST(OutputFile, DirectoryIsRefusedAtOnce) {
  wire::test::TempDir dir;
  EXPECT_THROW(OutputFile(dir.path().string()), std::system_error);
  EXPECT_EQ(entries(dir.path()), 0u);
}

}  // namespace
