// SPDX-License-Identifier: MIT
// FEAT replies (RFC 2389) as real servers send them, and the server's own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "replies.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/ftp/features.hpp"

namespace wire::ftp {
namespace {

using test::reply_from;

std::vector<std::string> names(const Features& f) {
  std::vector<std::string> out;
  for (const Feature& x : f.all()) out.push_back(x.params.empty() ? x.name : x.name + " " + x.params);
  return out;
}

TEST(Features, Vsftpd) {
  Features f = parse_feat_reply(reply_from(
      "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n"
      " AUTH SSL\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n"));
  EXPECT_EQ(names(f), (std::vector<std::string>{"EPRT", "EPSV", "MDTM", "PASV", "REST STREAM", "SIZE", "TVFS", "UTF8",
                                                "AUTH SSL", "AUTH TLS", "PBSZ", "PROT"}));
  EXPECT_TRUE(f.has("EPSV"));
  EXPECT_TRUE(f.has("epsv"));
  EXPECT_FALSE(f.has("MLST"));
  EXPECT_FALSE(f.has("EPS"));
  EXPECT_EQ(f.params("REST"), "STREAM");
  EXPECT_EQ(f.params("size"), "");
  EXPECT_EQ(f.params("MLSD"), std::nullopt);
  // Two AUTH lines: both count.
  EXPECT_TRUE(f.has_param("AUTH", "TLS"));
  EXPECT_TRUE(f.has_param("auth", "ssl"));
  EXPECT_FALSE(f.has_param("AUTH", "TL"));
  EXPECT_FALSE(f.has_param("PBSZ", ""));
  EXPECT_TRUE(f.mlst_facts().empty());
}

TEST(Features, PureFtpdMlst) {
  Features f = parse_feat_reply(reply_from(
      "211-Extensions supported:\r\n EPRT\r\n IDLE\r\n MDTM\r\n SIZE\r\n MFMT\r\n REST STREAM\r\n"
      " MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;\r\n MLSD\r\n AUTH TLS;SSL\r\n"
      " PBSZ\r\n PROT\r\n UTF8\r\n TVFS\r\n ESTA\r\n PASV\r\n EPSV\r\n ESTP\r\n211 End.\r\n"));
  EXPECT_TRUE(f.has("MLSD"));
  EXPECT_TRUE(f.has_param("AUTH", "TLS"));
  EXPECT_TRUE(f.has_param("AUTH", "SSL"));
  EXPECT_EQ(f.mlst_facts(), (std::vector<MlstFact>{{"type", true},
                                                   {"size", true},
                                                   {"sizd", true},
                                                   {"modify", true},
                                                   {"UNIX.mode", true},
                                                   {"UNIX.uid", true},
                                                   {"UNIX.gid", true},
                                                   {"unique", true}}));
}

TEST(Features, PyftpdlibMixedFacts) {
  Features f = parse_feat_reply(reply_from(
      "211-Features supported:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MFMT\r\n"
      " MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n"
      " UTF8\r\n211 End FEAT.\r\n"));
  auto facts = f.mlst_facts();
  ASSERT_EQ(facts.size(), 8u);
  EXPECT_EQ(facts[1], (MlstFact{"perm", true}));
  EXPECT_EQ(facts[5], (MlstFact{"unix.mode", false}));
  EXPECT_EQ(facts[7], (MlstFact{"unix.gid", false}));
}

TEST(Features, LenientLines) {
  // Names upper-cased, lines with "211-" (dropped by the reply parser), extra or no spaces,
  // blank lines skipped; parameters kept as sent.
  Features f = parse_feat_reply(reply_from("211-Features\r\n utf8\r\n211-MDTM\r\n   LANG EN*;fr  \r\n\r\nSIZE\r\n211 End\r\n"));
  EXPECT_EQ(names(f), (std::vector<std::string>{"UTF8", "MDTM", "LANG EN*;fr", "SIZE"}));
}

TEST(Features, NoneAndErrors) {
  EXPECT_TRUE(parse_feat_reply(reply_from("211 No features\r\n")).empty());
  EXPECT_TRUE(parse_feat_reply(reply_from("211-Features:\r\n211 End\r\n")).empty());
  std::error_code ec;
  EXPECT_TRUE(parse_feat_reply(reply_from("502 Command not implemented\r\n"), ec).empty());
  EXPECT_EQ(ec, Errc::unexpected_code);
  EXPECT_THROW(parse_feat_reply(reply_from("500 FEAT?\r\n")), Error);
}

TEST(Features, ServerReplyRoundTrips) {
  Features f;
  f.add("EPSV");
  f.add("mlst", "type*;size*;modify*;");
  f.add("REST", "STREAM");
  f.add("UTF8");
  std::string out;
  encode_feat_reply(out, f);
  EXPECT_EQ(out, "211-Features:\r\n EPSV\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n UTF8\r\n211 End\r\n");
  Features back = parse_feat_reply(reply_from(out));
  EXPECT_EQ(names(back), names(f));

  out.clear();
  encode_feat_reply(out, Features{});
  EXPECT_EQ(out, "211 No features\r\n");

  Features bad;
  bad.add("X", "a\r\n211 End");
  out = "kept";
  EXPECT_THROW(encode_feat_reply(out, bad), dialogue::LocalError);
  EXPECT_EQ(out, "kept");
}

}  // namespace
}  // namespace wire::ftp
