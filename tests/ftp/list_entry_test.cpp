// SPDX-License-Identifier: MIT
// LIST lines: Unix `ls -l` and DOS/IIS forms parsed best-effort, anything else unparsed, and
// the server's own line.
#include <gtest/gtest.h>

#include <string>

#include "support/random.hpp"
#include "wire/ftp/list_entry.hpp"
#include "wire/text/date.hpp"

namespace wire::ftp {
namespace {

// Now, as the server's clock shows it: 2024-03-10 12:00.
const text::CivilTime kNow{2024, 3, 10, 12, 0, 0};

text::CivilTime at(int y, int mo, int d, int h = 0, int mi = 0) { return {y, mo, d, h, mi, 0}; }

TEST(ListEntry, UnixFile) {
  ListEntry e = parse_list_line("-rw-r--r--    1 owner    group        1234 Jan 16 14:19 file name.txt", kNow);
  EXPECT_EQ(e.format, ListEntry::Format::unix);
  EXPECT_EQ(e.type, EntryType::file);
  EXPECT_EQ(e.name, "file name.txt");
  EXPECT_EQ(e.size, 1234u);
  EXPECT_EQ(e.modify, at(2024, 1, 16, 14, 19));
  EXPECT_EQ(e.permissions, "rw-r--r--");
  EXPECT_EQ(e.links, 1u);
  EXPECT_EQ(e.owner, "owner");
  EXPECT_EQ(e.group, "group");
  EXPECT_EQ(e.link_target, "");
  EXPECT_EQ(e.line, "-rw-r--r--    1 owner    group        1234 Jan 16 14:19 file name.txt");
}

TEST(ListEntry, UnixDirectoryWithYear) {
  ListEntry e = parse_list_line("drwxr-xr-x    2 ftp      ftp          4096 Mar  5  2023 dir", kNow);
  EXPECT_EQ(e.type, EntryType::dir);
  EXPECT_EQ(e.name, "dir");
  EXPECT_EQ(e.modify, at(2023, 3, 5, 0, 0));
  EXPECT_EQ(e.links, 2u);
}

TEST(ListEntry, UnixYearInference) {
  // Without a year the date is within the last six months: at most a day after today.
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Dec 20 10:00 x", kNow).modify,
            at(2023, 12, 20, 10, 0));
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Mar 11 09:00 x", kNow).modify,
            at(2024, 3, 11, 9, 0));
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Mar 12 09:00 x", kNow).modify,
            at(2023, 3, 12, 9, 0));
  // Feb 29 in a year that has none is the last leap year's.
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Feb 29 10:00 x", at(2025, 3, 10)).modify,
            at(2024, 2, 29, 10, 0));
}

TEST(ListEntry, UnixVariants) {
  // A symbolic link, names with spaces on both sides of the arrow.
  ListEntry link = parse_list_line("lrwxrwxrwx    1 root     root           11 Jan 16 14:19 link name -> /target path", kNow);
  EXPECT_EQ(link.type, EntryType::symlink);
  EXPECT_EQ(link.name, "link name");
  EXPECT_EQ(link.link_target, "/target path");
  // Found by fuzz_ftp_listing: an arrow right after the date leaves the name whole, never "".
  ListEntry arrow = parse_list_line("lrwxrwxrwx 1 a b 11 Jan 16 14:19  -> x", kNow);
  EXPECT_EQ(arrow.name, " -> x");
  EXPECT_EQ(arrow.link_target, "");
  EXPECT_EQ(parse_list_line("lrwxrwxrwx 1 a b 11 Jan 16 14:19 a ->  -> b", kNow).link_target, " -> b");
  // No group column.
  ListEntry nogroup = parse_list_line("-rw-r--r--   1 owner      1234 Jan 16 14:19 nogroup", kNow);
  EXPECT_EQ(nogroup.owner, "owner");
  EXPECT_EQ(nogroup.group, "");
  EXPECT_EQ(nogroup.size, 1234u);
  // No link count either.
  ListEntry bare = parse_list_line("-rw-r--r-- ftp 12 Jan 16 14:19 x", kNow);
  EXPECT_EQ(bare.format, ListEntry::Format::unix);
  EXPECT_EQ(bare.links, std::nullopt);
  EXPECT_EQ(bare.owner, "ftp");
  // An ACL mark, a device (major, minor instead of a size), an ISO date.
  EXPECT_EQ(parse_list_line("-rw-r--r--+  1 a b 5 Jan 16 14:19 acl", kNow).name, "acl");
  ListEntry dev = parse_list_line("crw-rw-rw-   1 root     root       1,   3 Jan 16 14:19 null", kNow);
  EXPECT_EQ(dev.type, EntryType::other);
  EXPECT_EQ(dev.size, std::nullopt);
  EXPECT_EQ(dev.group, "root");
  EXPECT_EQ(dev.name, "null");
  ListEntry iso = parse_list_line("-rw-r--r-- 1 u g 10 2024-01-16 14:19 iso name", kNow);
  EXPECT_EQ(iso.modify, at(2024, 1, 16, 14, 19));
  EXPECT_EQ(iso.name, "iso name");
  // The name begins after exactly one SP; an owner may be called like a month.
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Jan 16 14:19  two leading", kNow).name, " two leading");
  ListEntry jan = parse_list_line("-rw-r--r-- 1 Jan staff 12 Feb  2  2024 f", kNow);
  EXPECT_EQ(jan.owner, "Jan");
  EXPECT_EQ(jan.modify, at(2024, 2, 2, 0, 0));
  // Found by fuzz_ftp_listing: an owner, group and size that read as a date ("Jan 14 1234")
  // before the real one. The date is looked for where ls puts it first.
  ListEntry tricky = parse_list_line("lrwxrwxrwx   1 Jan      14                1234 Jan 16 14:19 f -> t", kNow);
  EXPECT_EQ(tricky.owner, "Jan");
  EXPECT_EQ(tricky.group, "14");
  EXPECT_EQ(tricky.size, 1234u);
  EXPECT_EQ(tricky.modify, at(2024, 1, 16, 14, 19));
  EXPECT_EQ(tricky.name, "f");
  EXPECT_EQ(tricky.link_target, "t");
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 7 Jan 16 14:19 Grüße ✓.txt", kNow).name, "Grüße ✓.txt");
}

TEST(ListEntry, Dos) {
  ListEntry dir = parse_list_line("01-16-24  02:19PM       <DIR>          My Documents", kNow);
  EXPECT_EQ(dir.format, ListEntry::Format::dos);
  EXPECT_EQ(dir.type, EntryType::dir);
  EXPECT_EQ(dir.name, "My Documents");
  EXPECT_EQ(dir.size, std::nullopt);
  EXPECT_EQ(dir.modify, at(2024, 1, 16, 14, 19));
  ListEntry file = parse_list_line("01-16-2024  14:19                 1234 report 2024.pdf", kNow);
  EXPECT_EQ(file.type, EntryType::file);
  EXPECT_EQ(file.size, 1234u);
  EXPECT_EQ(file.name, "report 2024.pdf");
  EXPECT_EQ(file.modify, at(2024, 1, 16, 14, 19));
  EXPECT_EQ(parse_list_line("12-31-99  12:05AM  5 old", kNow).modify, at(1999, 12, 31, 0, 5));
  EXPECT_EQ(parse_list_line("01-16-24  12:30PM  5 noon", kNow).modify, at(2024, 1, 16, 12, 30));
}

TEST(ListEntry, Unparsed) {
  for (std::string line : {"total 12", "hello world", "", "-rw-r--r-- 1 a b c d e f",
                           "drwxr-xr-x 2 a b 4096 Foo 16 14:19 x", "-rw-r--r-- 1 a b 12 Jan 32 14:19 x",
                           "-rw-r--r-- 1 a b 12 Jan 16 24:00 x", "-rw-r--r-- 1 a b 12 Jan 16 14:19",
                           "-rw-r--r-- 1 a b 12 Jan 16 14:19 ", "Jan 16 14:19 x", "xrw-r--r-- 1 a b 1 Jan 16 14:19 x",
                           "01-16-24 02:19XM <DIR> x", "13-16-24 02:19PM <DIR> x", "01-16-24 13:19PM 5 x",
                           "01-16-24 02:19PM <FILE> x", "01-16-24 02:19PM <DIR>", "02-30-24 02:19PM 5 x"}) {
    SCOPED_TRACE(line);
    ListEntry e = parse_list_line(line, kNow);
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
    ListEntry e = parse_list_line(junk, kNow);
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
      kNow);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "dir");
  EXPECT_EQ(entries[1].name, "a b");
  EXPECT_EQ(entries[2].format, ListEntry::Format::unparsed);
  EXPECT_EQ(entries[2].line, "something odd");
  EXPECT_EQ(entries[3].name, "win");
  EXPECT_TRUE(parse_list("", kNow).empty());
}

TEST(ListEntry, ServerLine) {
  const text::CivilTime now = kNow;
  ListEntry e;
  e.type = EntryType::file;
  e.name = "file name.txt";
  e.size = 1234;
  e.modify = at(2024, 1, 16, 14, 19);
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
  d.modify = at(2023, 3, 5, 10, 0);
  EXPECT_EQ(format_list_line(d, now, ec), "drwxr-xr-x   3 a-long-owner g                4096 Mar  5  2023 old dir");

  ListEntry l;
  l.type = EntryType::symlink;
  l.name = "link";
  l.link_target = "../target file";
  l.permissions = "rwxrwxrwx";
  l.modify = at(2024, 3, 11, 0, 0);  // in the future: the year
  EXPECT_EQ(format_list_line(l, now, ec), "lrwxrwxrwx   1 ftp      ftp                 0 Mar 11  2024 link -> ../target file");

  ListEntry minimal;
  minimal.name = "x";
  EXPECT_EQ(format_list_line(minimal, now, ec), "----------   1 ftp      ftp                 0 Jan  1  1970 x");
}

TEST(ListEntry, ServerLineRoundTrips) {
  const text::CivilTime now = kNow;
  for (text::CivilTime when : {at(2024, 1, 16, 14, 19), at(2023, 12, 31, 23, 0),
                             at(2019, 7, 4, 0, 0), at(2024, 3, 10, 11, 0)}) {
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
    ListEntry back = parse_list_line(format_list_line(e, now, ec), now);
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
