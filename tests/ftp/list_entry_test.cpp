// SPDX-License-Identifier: MIT
// LIST lines: Unix `ls -l` and DOS/IIS forms parsed best-effort, anything else unparsed, and
// the server's own line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/random.hpp"
#include "wire/ftp/list_entry.hpp"

namespace wire::ftp {
namespace {

using namespace std::chrono;

const sys_days kToday{year(2024) / March / 10};

local_seconds local(year_month_day d, minutes t = {}) { return local_days(d) + t; }

TEST(ListEntry, UnixFile) {
  ListEntry e = parse_list_line("-rw-r--r--    1 owner    group        1234 Jan 16 14:19 file name.txt", kToday);
  EXPECT_EQ(e.format, ListEntry::Format::unix);
  EXPECT_EQ(e.type, EntryType::file);
  EXPECT_EQ(e.name, "file name.txt");
  EXPECT_EQ(e.size, 1234u);
  EXPECT_EQ(e.modify, local(year(2024) / January / 16, 14h + 19min));
  EXPECT_EQ(e.permissions, "rw-r--r--");
  EXPECT_EQ(e.links, 1u);
  EXPECT_EQ(e.owner, "owner");
  EXPECT_EQ(e.group, "group");
  EXPECT_EQ(e.link_target, "");
  EXPECT_EQ(e.line, "-rw-r--r--    1 owner    group        1234 Jan 16 14:19 file name.txt");
}

TEST(ListEntry, UnixDirectoryWithYear) {
  ListEntry e = parse_list_line("drwxr-xr-x    2 ftp      ftp          4096 Mar  5  2023 dir", kToday);
  EXPECT_EQ(e.type, EntryType::dir);
  EXPECT_EQ(e.name, "dir");
  EXPECT_EQ(e.modify, local(year(2023) / March / 5));
  EXPECT_EQ(e.links, 2u);
}

TEST(ListEntry, UnixYearInference) {
  // Without a year the date is within the last six months: at most a day after today.
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Dec 20 10:00 x", kToday).modify,
            local(year(2023) / December / 20, 10h));
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Mar 11 09:00 x", kToday).modify,
            local(year(2024) / March / 11, 9h));
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Mar 12 09:00 x", kToday).modify,
            local(year(2023) / March / 12, 9h));
  // Feb 29 in a year that has none is the last leap year's.
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Feb 29 10:00 x", sys_days{year(2025) / March / 10}).modify,
            local(year(2024) / February / 29, 10h));
}

TEST(ListEntry, UnixVariants) {
  // A symbolic link, names with spaces on both sides of the arrow.
  ListEntry link = parse_list_line("lrwxrwxrwx    1 root     root           11 Jan 16 14:19 link name -> /target path", kToday);
  EXPECT_EQ(link.type, EntryType::symlink);
  EXPECT_EQ(link.name, "link name");
  EXPECT_EQ(link.link_target, "/target path");
  // No group column.
  ListEntry nogroup = parse_list_line("-rw-r--r--   1 owner      1234 Jan 16 14:19 nogroup", kToday);
  EXPECT_EQ(nogroup.owner, "owner");
  EXPECT_EQ(nogroup.group, "");
  EXPECT_EQ(nogroup.size, 1234u);
  // No link count either.
  ListEntry bare = parse_list_line("-rw-r--r-- ftp 12 Jan 16 14:19 x", kToday);
  EXPECT_EQ(bare.format, ListEntry::Format::unix);
  EXPECT_EQ(bare.links, std::nullopt);
  EXPECT_EQ(bare.owner, "ftp");
  // An ACL mark, a device (major, minor instead of a size), an ISO date.
  EXPECT_EQ(parse_list_line("-rw-r--r--+  1 a b 5 Jan 16 14:19 acl", kToday).name, "acl");
  ListEntry dev = parse_list_line("crw-rw-rw-   1 root     root       1,   3 Jan 16 14:19 null", kToday);
  EXPECT_EQ(dev.type, EntryType::other);
  EXPECT_EQ(dev.size, std::nullopt);
  EXPECT_EQ(dev.group, "root");
  EXPECT_EQ(dev.name, "null");
  ListEntry iso = parse_list_line("-rw-r--r-- 1 u g 10 2024-01-16 14:19 iso name", kToday);
  EXPECT_EQ(iso.modify, local(year(2024) / January / 16, 14h + 19min));
  EXPECT_EQ(iso.name, "iso name");
  // The name begins after exactly one SP; an owner may be called like a month.
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Jan 16 14:19  two leading", kToday).name, " two leading");
  ListEntry jan = parse_list_line("-rw-r--r-- 1 Jan staff 12 Feb  2  2024 f", kToday);
  EXPECT_EQ(jan.owner, "Jan");
  EXPECT_EQ(jan.modify, local(year(2024) / February / 2));
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 7 Jan 16 14:19 Grüße ✓.txt", kToday).name, "Grüße ✓.txt");
}

TEST(ListEntry, Dos) {
  ListEntry dir = parse_list_line("01-16-24  02:19PM       <DIR>          My Documents", kToday);
  EXPECT_EQ(dir.format, ListEntry::Format::dos);
  EXPECT_EQ(dir.type, EntryType::dir);
  EXPECT_EQ(dir.name, "My Documents");
  EXPECT_EQ(dir.size, std::nullopt);
  EXPECT_EQ(dir.modify, local(year(2024) / January / 16, 14h + 19min));
  ListEntry file = parse_list_line("01-16-2024  14:19                 1234 report 2024.pdf", kToday);
  EXPECT_EQ(file.type, EntryType::file);
  EXPECT_EQ(file.size, 1234u);
  EXPECT_EQ(file.name, "report 2024.pdf");
  EXPECT_EQ(file.modify, local(year(2024) / January / 16, 14h + 19min));
  EXPECT_EQ(parse_list_line("12-31-99  12:05AM  5 old", kToday).modify, local(year(1999) / December / 31, 5min));
  EXPECT_EQ(parse_list_line("01-16-24  12:30PM  5 noon", kToday).modify, local(year(2024) / January / 16, 12h + 30min));
}

TEST(ListEntry, Unparsed) {
  for (std::string line : {"total 12", "hello world", "", "-rw-r--r-- 1 a b c d e f",
                           "drwxr-xr-x 2 a b 4096 Foo 16 14:19 x", "-rw-r--r-- 1 a b 12 Jan 32 14:19 x",
                           "-rw-r--r-- 1 a b 12 Jan 16 24:00 x", "-rw-r--r-- 1 a b 12 Jan 16 14:19",
                           "-rw-r--r-- 1 a b 12 Jan 16 14:19 ", "Jan 16 14:19 x", "xrw-r--r-- 1 a b 1 Jan 16 14:19 x",
                           "01-16-24 02:19XM <DIR> x", "13-16-24 02:19PM <DIR> x", "01-16-24 13:19PM 5 x",
                           "01-16-24 02:19PM <FILE> x", "01-16-24 02:19PM <DIR>", "02-30-24 02:19PM 5 x"}) {
    SCOPED_TRACE(line);
    ListEntry e = parse_list_line(line, kToday);
    EXPECT_EQ(e.format, ListEntry::Format::unparsed);
    EXPECT_EQ(e.type, EntryType::unknown);
    EXPECT_EQ(e.name, "");
    EXPECT_EQ(e.line, line);
  }
}

TEST(ListEntry, RandomLinesNeverCrash) {
  std::size_t parsed = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    std::string junk = wire::test::random_string(seed % 90, seed);
    // Half of them begin like a listing line, to reach deeper.
    if (seed % 2) junk = (seed % 4 == 1 ? "-rw-r--r-- 1 a b 5 Jan 16 14:19 " : "01-16-24  02:19PM  5 ") + junk;
    ListEntry e = parse_list_line(junk, kToday);
    EXPECT_EQ(e.line, junk);
    if (e.format != ListEntry::Format::unparsed) ++parsed;
  }
  EXPECT_GT(parsed, 100u);
}

TEST(ListEntry, Listing) {
  auto entries = parse_list(
      "total 12\r\n"
      "drwxr-xr-x    2 ftp ftp 4096 Mar  5  2023 dir\r\n"
      "\r\n"
      "-rw-r--r--    1 ftp ftp 3 Jan 16 14:19 a b\n"
      "something odd\r\n"
      "01-16-24  02:19PM  <DIR>  win",
      kToday);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "dir");
  EXPECT_EQ(entries[1].name, "a b");
  EXPECT_EQ(entries[2].format, ListEntry::Format::unparsed);
  EXPECT_EQ(entries[2].line, "something odd");
  EXPECT_EQ(entries[3].name, "win");
  EXPECT_TRUE(parse_list("", kToday).empty());
}

TEST(ListEntry, ServerLine) {
  const local_seconds now = local(year(2024) / March / 10, 12h);
  ListEntry e;
  e.type = EntryType::file;
  e.name = "file name.txt";
  e.size = 1234;
  e.modify = local(year(2024) / January / 16, 14h + 19min);
  e.permissions = "rw-r--r--";
  std::error_code ec;
  EXPECT_EQ(format_list_line(e, now, ec), "-rw-r--r--   1 ftp      ftp              1234 Jan 16 14:19 file name.txt");
  EXPECT_FALSE(ec);

  ListEntry d;
  d.type = EntryType::dir;
  d.name = "old dir";
  d.size = 4096;
  d.links = 3;
  d.owner = "a-long-owner";
  d.group = "g";
  d.permissions = "rwxr-xr-x";
  d.modify = local(year(2023) / March / 5, 10h);
  EXPECT_EQ(format_list_line(d, now, ec), "drwxr-xr-x   3 a-long-owner g                4096 Mar  5  2023 old dir");

  ListEntry l;
  l.type = EntryType::symlink;
  l.name = "link";
  l.link_target = "../target file";
  l.permissions = "rwxrwxrwx";
  l.modify = local(year(2024) / March / 11, 0min);  // in the future: the year
  EXPECT_EQ(format_list_line(l, now, ec), "lrwxrwxrwx   1 ftp      ftp                 0 Mar 11  2024 link -> ../target file");

  ListEntry minimal;
  minimal.name = "x";
  EXPECT_EQ(format_list_line(minimal, now, ec), "----------   1 ftp      ftp                 0 Jan  1  1970 x");
}

TEST(ListEntry, ServerLineRoundTrips) {
  const local_seconds now = local(year(2024) / March / 10, 12h);
  const sys_days today{year(2024) / March / 10};
  for (local_seconds when : {local(year(2024) / January / 16, 14h + 19min), local(year(2023) / December / 31, 23h),
                             local(year(2019) / July / 4), local(year(2024) / March / 10, 11h)}) {
    ListEntry e;
    e.type = EntryType::file;
    e.name = " spaced Grüße -> not a link ";
    e.size = 99;
    e.links = 1;
    e.owner = "u";
    e.group = "g";
    e.permissions = "rw-------";
    e.modify = when;
    std::error_code ec;
    ListEntry back = parse_list_line(format_list_line(e, now, ec), today);
    EXPECT_EQ(back.format, ListEntry::Format::unix);
    EXPECT_EQ(back.name, e.name);
    EXPECT_EQ(back.size, e.size);
    EXPECT_EQ(back.modify, e.modify);
    EXPECT_EQ(back.owner, "u");
    EXPECT_EQ(back.group, "g");
    EXPECT_EQ(back.permissions, "rw-------");
  }
}

TEST(ListEntry, ServerRefusesWhatALineCannotCarry) {
  std::error_code ec;
  ListEntry e;
  e.type = EntryType::symlink;
  for (std::string name : {std::string("a\r\nb"), std::string("a\nb"), std::string("a\0b", 3), std::string()}) {
    e.name = name;
    EXPECT_EQ(format_list_line(e, {}, ec), "");
    EXPECT_EQ(ec, Errc::unrepresentable_name);
  }
  e.name = "ok";
  e.link_target = "x\ny";
  EXPECT_EQ(format_list_line(e, {}, ec), "");
  EXPECT_EQ(ec, Errc::unrepresentable_name);
}

}  // namespace
}  // namespace wire::ftp
