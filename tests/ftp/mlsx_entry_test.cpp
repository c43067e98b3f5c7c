// SPDX-License-Identifier: MIT
// MLSD lines and MLST replies (RFC 3659 §7), both sides.
#include <gtest/gtest.h>

#include <string>

#include "replies.hpp"
#include "wire/ftp/mlsx_entry.hpp"
#include "wire/text/date.hpp"

namespace wire::ftp {
namespace {

using test::reply_from;

// 2024-01-16 14:19:00 UTC
const std::int64_t kModify = text::to_unix_seconds({2024, 1, 16, 14, 19, 0});

TEST(MlsxEntry, TypedFacts) {
  MlsxEntry e = parse_mlsx_entry("type=file;size=1024;modify=20240116141900;perm=adfrw;unique=801U1A; my file;x.txt");
  EXPECT_EQ(e.name, "my file;x.txt");
  EXPECT_EQ(e.type, EntryType::file);
  EXPECT_EQ(e.type_fact, "file");
  EXPECT_EQ(e.size, 1024u);
  EXPECT_EQ(e.modify, kModify);
  EXPECT_EQ(e.perm, "adfrw");
  EXPECT_EQ(e.unique, "801U1A");
  EXPECT_EQ(e.unix_mode, std::nullopt);
  EXPECT_EQ(e.facts.size(), 5u);
  EXPECT_EQ(e.fact("SIZE"), "1024");
  EXPECT_EQ(e.fact("lang"), std::nullopt);
}

TEST(MlsxEntry, Names) {
  // Everything after the first SP: spaces at either end, ";", "=", UTF-8.
  EXPECT_EQ(parse_mlsx_entry("type=file;  two leading").name, " two leading");
  EXPECT_EQ(parse_mlsx_entry("type=file; trailing ").name, "trailing ");
  EXPECT_EQ(parse_mlsx_entry("type=dir; Grüße/日本 ✓").name, "Grüße/日本 ✓");
  EXPECT_EQ(parse_mlsx_entry("type=file; a=b;c").name, "a=b;c");
  // No facts at all: the line starts with the SP.
  MlsxEntry bare = parse_mlsx_entry(" name only");
  EXPECT_EQ(bare.name, "name only");
  EXPECT_EQ(bare.type, EntryType::unknown);
  EXPECT_TRUE(bare.facts.empty());
}

TEST(MlsxEntry, Types) {
  struct Case {
    const char* line;
    EntryType type;
  } cases[] = {
      {"Type=DIR; x", EntryType::dir},
      {"type=cdir;perm=el; /pub", EntryType::cdir},
      {"type=pdir; ..", EntryType::pdir},
      {"type=OS.unix=slink:/etc/passwd; link", EntryType::symlink},
      {"type=OS.unix=symlink; link", EntryType::symlink},
      {"type=OS.unix=chr-1/3; null", EntryType::other},
      {"type=weird; x", EntryType::other},
      {"size=1; x", EntryType::unknown},
      // Found by fuzz_ftp_listing: an empty type says nothing, so that formatting the entry
      // (which writes no empty type) and parsing it again gives the same entry.
      {"type=; x", EntryType::unknown},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    EXPECT_EQ(parse_mlsx_entry(c.line).type, c.type);
  }
  EXPECT_EQ(parse_mlsx_entry("type=OS.unix=slink:/etc/passwd; link").type_fact, "OS.unix=slink:/etc/passwd");
  std::error_code ec;
  MlsxEntry empty_type = parse_mlsx_entry("type=;size=1; x");
  MlsxEntry back = parse_mlsx_entry(format_mlsx_entry(empty_type, ec));
  EXPECT_EQ(back.type, empty_type.type);
  EXPECT_EQ(back.type_fact, "");
  EXPECT_EQ(back.size, 1u);
}

TEST(MlsxEntry, UnixFactsAndCase) {
  MlsxEntry e = parse_mlsx_entry("Type=file;Modify=20240116141900.5;UNIX.mode=0644;UNIX.owner=bob;UNIX.group=staff; f");
  EXPECT_EQ(e.modify, kModify);  // the fraction dropped
  EXPECT_EQ(e.unix_mode, 0644u);
  EXPECT_EQ(e.unix_owner, "bob");
  EXPECT_EQ(e.unix_group, "staff");
  // pyftpdlib and Pure-FTPd send uid/gid.
  e = parse_mlsx_entry("type=file;unix.mode=755;unix.uid=1000;unix.gid=100; g");
  EXPECT_EQ(e.unix_mode, 0755u);
  EXPECT_EQ(e.unix_owner, "1000");
  EXPECT_EQ(e.unix_group, "100");
  // A name wins over a number, whichever comes first.
  e = parse_mlsx_entry("UNIX.uid=1000;UNIX.owner=bob;UNIX.group=staff;UNIX.gid=100; h");
  EXPECT_EQ(e.unix_owner, "bob");
  EXPECT_EQ(e.unix_group, "staff");
  e = parse_mlsx_entry("UNIX.owner=bob;UNIX.uid=1000;UNIX.gid=100;UNIX.group=staff; h");
  EXPECT_EQ(e.unix_owner, "bob");
  EXPECT_EQ(e.unix_group, "staff");
  // Unknown and empty facts are kept.
  e = parse_mlsx_entry("media-type=text/plain;perm=;x.custom=; i");
  EXPECT_EQ(e.fact("Media-Type"), "text/plain");
  EXPECT_EQ(e.perm, "");
  EXPECT_EQ(e.fact("x.custom"), "");
}

TEST(MlsxEntry, Malformed) {
  for (const char* bad : {"", "type=file;size=12", "type=file;size=12 ", "type=file size=12; x", "=x; name",
                          "typefile; name", "size=12a; x", "size=; x", "size=-1; x", "UNIX.mode=0999; x",
                          "UNIX.mode=; x", "type=file;;size=1; x", "nospace"}) {
    SCOPED_TRACE(bad);
    std::error_code ec;
    parse_mlsx_entry(bad, ec);
    EXPECT_EQ(ec, Errc::bad_facts);
  }
  std::error_code ec;
  parse_mlsx_entry("modify=2024; x", ec);
  EXPECT_EQ(ec, Errc::bad_time_val);
  parse_mlsx_entry("modify=20240230000000; x", ec);
  EXPECT_EQ(ec, Errc::bad_time_val);
  EXPECT_THROW(parse_mlsx_entry("garbage"), Error);
}

TEST(MlsxEntry, MlsdListing) {
  std::error_code ec;
  auto entries = parse_mlsd(
      "type=cdir;modify=20240116141900; /pub\r\ntype=pdir; ..\r\ntype=file;size=3; a b\r\n\r\ntype=dir; c\n", ec);
  EXPECT_FALSE(ec);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].type, EntryType::cdir);
  EXPECT_EQ(entries[2].name, "a b");
  EXPECT_EQ(entries[2].size, 3u);
  EXPECT_EQ(entries[3].name, "c");
  // Stops at the first bad line, keeping what came before.
  entries = parse_mlsd("type=file; ok\r\nbroken\r\ntype=file; never\r\n", ec);
  EXPECT_EQ(ec, Errc::bad_facts);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "ok");
  EXPECT_TRUE(parse_mlsd("", ec).empty());
  EXPECT_FALSE(ec);
}

TEST(MlsxEntry, MlstReply) {
  MlsxEntry e = parse_mlst_reply(reply_from("250-Listing /pub/a b\r\n type=file;size=5; /pub/a b\r\n250 End\r\n"));
  EXPECT_EQ(e.name, "/pub/a b");
  EXPECT_EQ(e.size, 5u);
  std::error_code ec;
  parse_mlst_reply(reply_from("250 Listing\r\n"), ec);
  EXPECT_EQ(ec, Errc::bad_facts);
  parse_mlst_reply(reply_from("550 No such file\r\n"), ec);
  EXPECT_EQ(ec, Errc::unexpected_code);
  parse_mlst_reply(reply_from("250-Listing\r\n type=file;size=x; f\r\n250 End\r\n"), ec);
  EXPECT_EQ(ec, Errc::bad_facts);
  EXPECT_THROW(parse_mlst_reply(reply_from("250-Listing\r\nno space\r\n250 End\r\n")), Error);
}

TEST(MlsxEntry, ServerFormatRoundTrips) {
  MlsxEntry e;
  e.name = "my file Grüße.txt";
  e.type = EntryType::file;
  e.size = 1024;
  e.modify = kModify;
  e.perm = "adfrw";
  e.unique = "fd01i42";
  e.unix_mode = 0644;
  e.unix_owner = "bob";
  e.unix_group = "staff";
  std::error_code ec;
  std::string line = format_mlsx_entry(e, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(line,
            "type=file;size=1024;modify=20240116141900;perm=adfrw;unique=fd01i42;UNIX.mode=0644;UNIX.owner=bob;"
            "UNIX.group=staff; my file Grüße.txt");
  MlsxEntry back = parse_mlsx_entry(line);
  EXPECT_EQ(back.name, e.name);
  EXPECT_EQ(back.type, e.type);
  EXPECT_EQ(back.size, e.size);
  EXPECT_EQ(back.modify, e.modify);
  EXPECT_EQ(back.perm, e.perm);
  EXPECT_EQ(back.unique, e.unique);
  EXPECT_EQ(back.unix_mode, e.unix_mode);
  EXPECT_EQ(back.unix_owner, e.unix_owner);
  EXPECT_EQ(back.unix_group, e.unix_group);

  MlsxEntry d;
  d.name = "..";
  d.type = EntryType::pdir;
  d.modify = kModify + 1;
  EXPECT_EQ(format_mlsx_entry(d, ec), "type=pdir;modify=20240116141901; ..");
  MlsxEntry link;
  link.name = "l";
  link.type = EntryType::symlink;
  EXPECT_EQ(format_mlsx_entry(link, ec), "type=OS.unix=symlink; l");
  MlsxEntry bare;
  bare.name = "x";
  EXPECT_EQ(format_mlsx_entry(bare, ec), " x");
  EXPECT_EQ(parse_mlsx_entry(format_mlsx_entry(bare, ec)).name, "x");
}

TEST(MlsxEntry, ServerRefusesWhatALineCannotCarry) {
  std::error_code ec;
  MlsxEntry e;
  e.type = EntryType::file;
  for (std::string name : {std::string("a\r\nb"), std::string("a\nb"), std::string("a\rb"), std::string("a\0b", 3),
                           std::string()}) {
    e.name = name;
    EXPECT_EQ(format_mlsx_entry(e, ec), "");
    EXPECT_EQ(ec, Errc::unrepresentable_name);
  }
  e.name = "ok";
  e.perm = "r;w";
  EXPECT_EQ(format_mlsx_entry(e, ec), "");
  EXPECT_EQ(ec, Errc::unrepresentable_name);
  e.perm = "r w";
  format_mlsx_entry(e, ec);
  EXPECT_EQ(ec, Errc::unrepresentable_name);
}

}  // namespace
}  // namespace wire::ftp
