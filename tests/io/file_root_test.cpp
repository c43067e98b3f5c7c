// SPDX-License-Identifier: MIT
// io::FileRoot: every way out of the root refused — "..", absolute and relative symbolic
// links, links through directories, links as the last component of a write — and what is
// inside reachable: reading, listing, uploads under a temporary name, directory changes.
#include "wire/io/file_root.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using wire::io::FileInfo;
using wire::io::FileRoot;

std::string read_fd(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_all(int fd, std::string_view s) { ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size())); }

class FileRootTest : public testing::Test {
 protected:
  FileRootTest() {
    outside.write_file("secret.txt", "outside the root");
    fs::create_directories(dir / "docs/sub");
    dir.write_file("docs/a.txt", "alpha");
    dir.write_file("top.txt", "top");
    fs::create_symlink("a.txt", dir / "docs/inside-link");
    fs::create_symlink(outside / "secret.txt", dir / "docs/absolute-out");
    fs::create_symlink("../../" + outside.path().filename().string() + "/secret.txt", dir / "docs/relative-out");
    fs::create_directory_symlink(outside.path(), dir / "out-dir");
    ::mkfifo((dir / "fifo").c_str(), 0644);
  }
  wire::test::TempDir outside{"wire-outside-"};
  wire::test::TempDir dir;
  FileRoot root{dir.path()};
};

TEST(FileRootClean, Paths) {
  EXPECT_EQ(FileRoot::clean(""), "");
  EXPECT_EQ(FileRoot::clean("/"), "");
  EXPECT_EQ(FileRoot::clean("/a//b/./c/"), "a/b/c");
  EXPECT_EQ(FileRoot::clean("a b/ü.txt"), "a b/ü.txt");
  EXPECT_EQ(FileRoot::clean("..."), "...");
  EXPECT_EQ(FileRoot::clean(".."), std::nullopt);
  EXPECT_EQ(FileRoot::clean("a/../b"), std::nullopt);
  EXPECT_EQ(FileRoot::clean("/../etc/passwd"), std::nullopt);
  EXPECT_EQ(FileRoot::clean(std::string_view("a\0b", 3)), std::nullopt);
}

TEST_F(FileRootTest, OpensWhatIsInside) {
  std::error_code ec;
  auto file = root.open("docs/a.txt", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(file.info.is_file());
  EXPECT_EQ(file.info.size, 5u);
  EXPECT_EQ(read_fd(file.fd.get()), "alpha");
  auto linked = root.open("docs/inside-link", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(read_fd(linked.fd.get()), "alpha");
  EXPECT_TRUE(root.info("docs", ec).is_directory());
  EXPECT_TRUE(root.info("", ec).is_directory());
  EXPECT_EQ(root.info("fifo", ec).type, FileInfo::Type::other);  // opened without hanging
  EXPECT_FALSE(ec);
  root.open("missing.txt", ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
  root.open("top.txt/x", ec);
  EXPECT_EQ(ec, std::errc::not_a_directory);
}

TEST_F(FileRootTest, NoLinkLeadsOut) {
  for (std::string_view path : {"docs/absolute-out", "docs/relative-out", "out-dir/secret.txt", "out-dir"}) {
    std::error_code ec;
    auto opened = root.open(path, ec);
    EXPECT_TRUE(ec == std::errc::cross_device_link || ec == std::errc::too_many_symbolic_link_levels)
        << path << ": " << ec.message();
    EXPECT_FALSE(opened.fd);
  }
}

TEST_F(FileRootTest, ListsSortedWithLinksResolvedInside) {
  std::error_code ec;
  auto entries = root.list("docs", ec);
  ASSERT_FALSE(ec) << ec.message();
  std::vector<std::string> names;
  for (auto& e : entries) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a.txt", "absolute-out", "inside-link", "relative-out", "sub"}));
  EXPECT_TRUE(entries[0].info.is_file());
  EXPECT_EQ(entries[1].info.type, FileInfo::Type::other);  // leads out: not followed
  EXPECT_TRUE(entries[2].info.is_file());
  EXPECT_EQ(entries[2].info.size, 5u);
  EXPECT_EQ(entries[3].info.type, FileInfo::Type::other);
  EXPECT_TRUE(entries[4].info.is_directory());
  root.list("top.txt", ec);
  EXPECT_EQ(ec, std::errc::not_a_directory);
  root.list("out-dir", ec);
  EXPECT_TRUE(ec);
}

TEST_F(FileRootTest, WritesNeverFollowALink) {
  std::error_code ec;
  auto fd = root.open_write("docs/new.txt", FileRoot::WriteMode::truncate, ec);
  ASSERT_FALSE(ec) << ec.message();
  write_all(fd.get(), "one");
  fd = root.open_write("docs/new.txt", FileRoot::WriteMode::append, ec);
  write_all(fd.get(), "two");
  fd = root.open_write("docs/new.txt", FileRoot::WriteMode::positioned, ec);
  ASSERT_EQ(::pwrite(fd.get(), "X", 1, 1), 1);
  fd.reset();
  EXPECT_EQ(read_file(dir / "docs/new.txt"), "oXetwo");
  for (std::string_view link : {"docs/inside-link", "docs/absolute-out"}) {
    root.open_write(link, FileRoot::WriteMode::truncate, ec);
    EXPECT_EQ(ec, std::errc::too_many_symbolic_link_levels) << link;
  }
  root.open_write("out-dir/planted.txt", FileRoot::WriteMode::truncate, ec);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(fs::exists(outside / "planted.txt"));
  EXPECT_EQ(read_file(outside / "secret.txt"), "outside the root");
  root.open_write("docs", FileRoot::WriteMode::truncate, ec);
  EXPECT_EQ(ec, std::errc::is_a_directory);
  root.open_write("", FileRoot::WriteMode::truncate, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
}

TEST_F(FileRootTest, AnUploadHasItsNameOnlyOnceCommitted) {
  std::error_code ec;
  {
    auto upload = root.create_upload("docs/up.bin", ec);
    ASSERT_FALSE(ec) << ec.message();
    write_all(upload.fd(), "partial");
    EXPECT_FALSE(fs::exists(dir / "docs/up.bin"));
  }  // abandoned: the connection broke
  EXPECT_FALSE(fs::exists(dir / "docs/up.bin"));
  for (auto& e : fs::directory_iterator(dir / "docs")) EXPECT_EQ(e.path().filename().string().find(".up.bin"), std::string::npos);
  auto upload = root.create_upload("docs/a.txt", ec);
  write_all(upload.fd(), "replaced");
  EXPECT_EQ(read_file(dir / "docs/a.txt"), "alpha");
  upload.commit(ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(read_file(dir / "docs/a.txt"), "replaced");
  root.create_upload("out-dir/x", ec);
  EXPECT_TRUE(ec);
}

TEST_F(FileRootTest, DirectoriesAndRenamesStayInside) {
  std::error_code ec;
  root.make_directory("docs/new", ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(fs::is_directory(dir / "docs/new"));
  root.make_directory("docs/new", ec);
  EXPECT_EQ(ec, std::errc::file_exists);
  root.rename("top.txt", "docs/new/moved.txt", ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(read_file(dir / "docs/new/moved.txt"), "top");
  root.rename("docs/new/moved.txt", "out-dir/moved.txt", ec);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(fs::exists(outside / "moved.txt"));
  root.remove_directory("docs/new", ec);
  EXPECT_EQ(ec, std::errc::directory_not_empty);
  root.remove_file("docs/new/moved.txt", ec);
  root.remove_directory("docs/new", ec);
  EXPECT_FALSE(ec);
  root.remove_file("docs/absolute-out", ec);  // the link goes, never what it leads to
  EXPECT_FALSE(ec);
  EXPECT_EQ(read_file(outside / "secret.txt"), "outside the root");
  root.remove_directory("", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
}

}  // namespace
