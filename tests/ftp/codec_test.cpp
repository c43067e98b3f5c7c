// SPDX-License-Identifier: MIT
// The FTP codec for single commands: PASV, EPSV, PORT, EPRT, SIZE, MDTM, REST, 257.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "replies.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/ftp/codec.hpp"
#include "wire/text/date.hpp"

namespace wire::ftp {
namespace {

using test::reply_from;

// Each reply in `bad` is refused with `expected` by `parse(reply, ec)`, which returns T{};
// `wrong_code` (a reply of another code) with Errc::unexpected_code.
template <typename T>
void expect_refused(T (*parse)(const dialogue::Reply&, std::error_code&), std::initializer_list<const char*> bad,
                    Errc expected, const char* wrong_code) {
  for (const char* bytes : bad) {
    SCOPED_TRACE(bytes);
    std::error_code ec;
    EXPECT_EQ(parse(reply_from(bytes), ec), T{});
    EXPECT_EQ(ec, expected);
  }
  std::error_code ec;
  EXPECT_EQ(parse(reply_from(wrong_code), ec), T{});
  EXPECT_EQ(ec, Errc::unexpected_code);
}

// --- PASV ------------------------------------------------------------------------------------

TEST(Pasv, ReplyForms) {
  struct Case {
    const char* bytes;
    HostPort expected;
  } cases[] = {
      {"227 Entering Passive Mode (192,168,1,2,195,203).\r\n", {"192.168.1.2", 50123}},
      // RFC 1123 §4.1.2.6: parentheses are not promised.
      {"227 Entering Passive Mode 192,168,1,2,195,203\r\n", {"192.168.1.2", 50123}},
      {"227 =127,0,0,1,4,1\r\n", {"127.0.0.1", 1025}},
      // Digits in the text before the numbers are skipped.
      {"227 Entering Passive Mode v2 (10,0,0,1,0,21)\r\n", {"10.0.0.1", 21}},
      {"227 Passive 1 2 3 (0,0,0,0,255,255)\r\n", {"0.0.0.0", 65535}},
      // Multi-line: the numbers may be on any line.
      {"227-Entering Passive Mode\r\n (10,1,2,3,4,5)\r\n227 OK\r\n", {"10.1.2.3", 1029}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.bytes);
    std::error_code ec = make_error_code(Errc::bad_facts);
    EXPECT_EQ(parse_pasv_reply(reply_from(c.bytes), ec), c.expected);
    EXPECT_FALSE(ec);
    EXPECT_EQ(parse_pasv_reply(reply_from(c.bytes)), c.expected);
  }
}

TEST(Pasv, BadReplies) {
  for (const char* bytes : {
           "227 Entering Passive Mode (256,0,0,1,4,1).\r\n",
           "227 Entering Passive Mode (1,2,3,4,5).\r\n",
           "227 Entering Passive Mode (1,2,3,4,0,0).\r\n",
           "227 Entering Passive Mode (1,2,3,4,5,6,7).\r\n",
           "227 Entering Passive Mode (1,2,3,4,5,1000).\r\n",
           "227 Entering Passive Mode (1,2,3,4,5,-6).\r\n",
           "227 Entering Passive Mode (1, 2, 3, 4, 5, 6).\r\n",
           "227 Entering Passive Mode.\r\n",
           "227\r\n",
       }) {
    SCOPED_TRACE(bytes);
    std::error_code ec;
    EXPECT_EQ(parse_pasv_reply(reply_from(bytes), ec), HostPort{});
    EXPECT_EQ(ec, Errc::bad_pasv_reply);
    try {
      parse_pasv_reply(reply_from(bytes));
      ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::bad_pasv_reply);
      EXPECT_EQ(std::string(e.what()), "PASV: no address and port in the 227 reply (reply 227)");
    }
  }
  std::error_code ec;
  parse_pasv_reply(reply_from("200 (1,2,3,4,5,6)\r\n"), ec);
  EXPECT_EQ(ec, Errc::unexpected_code);
  EXPECT_THROW(parse_pasv_reply(reply_from("500 PASV not understood\r\n")), Error);
}

TEST(Pasv, ServerText) {
  EXPECT_EQ(pasv_reply_text("192.168.1.2", 50123), "Entering Passive Mode (192,168,1,2,195,203).");
  EXPECT_EQ(parse_pasv_reply(reply_from("227 " + pasv_reply_text("127.0.0.1", 1) + "\r\n")),
            (HostPort{"127.0.0.1", 1}));
  EXPECT_THROW(pasv_reply_text("::1", 21), std::invalid_argument);
  EXPECT_THROW(pasv_reply_text("1.2.3", 21), std::invalid_argument);
  EXPECT_THROW(pasv_reply_text("1.2.3.4", 0), std::invalid_argument);
}

// --- EPSV ------------------------------------------------------------------------------------

TEST(Epsv, ReplyForms) {
  EXPECT_EQ(parse_epsv_reply(reply_from("229 Entering Extended Passive Mode (|||6446|)\r\n")), 6446);
  EXPECT_EQ(parse_epsv_reply(reply_from("229 Entering Extended Passive Mode (!!!6446!)\r\n")), 6446);
  EXPECT_EQ(parse_epsv_reply(reply_from("229 (|||1|) ok (not this)\r\n")), 1);
  EXPECT_EQ(parse_epsv_reply(reply_from("229 Mode (x) then (|||65535|)\r\n")), 65535);
  EXPECT_EQ(parse_epsv_reply(reply_from("229 " + epsv_reply_text(50000) + "\r\n")), 50000);
  EXPECT_EQ(epsv_reply_text(6446), "Entering Extended Passive Mode (|||6446|)");
}

TEST(Epsv, BadReplies) {
  expect_refused<std::uint16_t>(parse_epsv_reply,
                                {"229 Entering Extended Passive Mode (||6446|)\r\n", "229 (|||0|)\r\n",
                                 "229 (|||65536|)\r\n", "229 (|||abc|)\r\n", "229 (|1|2|6446|)\r\n",
                                 "229 (|||6446|\r\n", "229 (|||6446!)\r\n", "229 (1116446)\r\n",
                                 "229 (   6446 )\r\n", "229 no port\r\n", "229 (|||)\r\n"},
                                Errc::bad_epsv_reply, "227 (|||6446|)\r\n");
  EXPECT_THROW(parse_epsv_reply(reply_from("229 (||6446|)\r\n")), Error);
}

// --- PORT / EPRT -----------------------------------------------------------------------------

TEST(Port, Arguments) {
  EXPECT_EQ(port_argument("192.0.2.7", 50123), "192,0,2,7,195,203");
  EXPECT_EQ(port_argument("127.0.0.1", 1), "127,0,0,1,0,1");
  EXPECT_EQ(eprt_argument("192.0.2.7", 50123), "|1|192.0.2.7|50123|");
  EXPECT_EQ(eprt_argument("::1", 21), "|2|::1|21|");
  EXPECT_EQ(eprt_argument("2001:db8::7", 65535), "|2|2001:db8::7|65535|");
  for (const char* bad : {"", "localhost", "1.2.3.4:5", "1.2.3", "01.2.3.4", "::1"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(port_argument(bad, 21), std::invalid_argument);
  }
  for (const char* bad : {"", "localhost", "[::1]", "fe80::1%eth0", "1.2.3.4.5"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(eprt_argument(bad, 21), std::invalid_argument);
  }
  EXPECT_THROW(port_argument("1.2.3.4", 0), std::invalid_argument);
  EXPECT_THROW(eprt_argument("1.2.3.4", 0), std::invalid_argument);
}

TEST(Port, ServerParsesPort) {
  std::error_code ec;
  EXPECT_EQ(parse_port_argument("192,0,2,7,195,203", ec), (HostPort{"192.0.2.7", 50123}));
  EXPECT_FALSE(ec);
  EXPECT_EQ(parse_port_argument(port_argument("10.20.30.40", 4242), ec), (HostPort{"10.20.30.40", 4242}));
  for (const char* bad : {"", "1,2,3,4,5", "1,2,3,4,5,6,7", "1,2,3,4,0,0", "256,1,1,1,1,1", "1,2,3,4,5,256",
                          " 1,2,3,4,5,6", "1,2,3,4,5,6 ", "1,2,3,4,5,-6", "1,2,3,4,5,6x", "1,,3,4,5,6",
                          "0001,2,3,4,5,6", "1.2.3.4.5.6", "1,2,3,4,5,6\r"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_port_argument(bad, ec), HostPort{});
    EXPECT_EQ(ec, Errc::bad_port_argument);
  }
}

TEST(Port, ServerParsesEprt) {
  std::error_code ec;
  // The examples of RFC 2428 §2.
  EXPECT_EQ(parse_eprt_argument("|1|132.235.1.2|6275|", ec), (HostPort{"132.235.1.2", 6275}));
  EXPECT_FALSE(ec);
  EXPECT_EQ(parse_eprt_argument("|2|1080::8:800:200C:417A|5282|", ec), (HostPort{"1080::8:800:200C:417A", 5282}));
  EXPECT_EQ(parse_eprt_argument("!1!10.0.0.1!21!", ec), (HostPort{"10.0.0.1", 21}));
  EXPECT_EQ(parse_eprt_argument(eprt_argument("::1", 50000), ec), (HostPort{"::1", 50000}));
  EXPECT_FALSE(ec);
  for (const char* bad : {"", "|1|1.2.3.4|5", "|1|1.2.3.4|5|x", "|1|1.2.3.4|5||", "|1|::1|5|", "|2|1.2.3.4|5|",
                          "|1|1.2.3.4|0|", "|1|1.2.3.4|65536|", "|1|localhost|21|", "||1.2.3.4|5|", " |1|1.2.3.4|5| ",
                          "|1|1.2.3.4|-5|", "|x|1.2.3.4|5|", "1|1.2.3.4|5|", "|1||5|"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_eprt_argument(bad, ec), HostPort{});
    EXPECT_EQ(ec, Errc::bad_eprt_argument);
  }
  // RFC 2428 §2: another network protocol is answered 522.
  EXPECT_EQ(parse_eprt_argument("|3|1.2.3.4|5|", ec), HostPort{});
  EXPECT_EQ(ec, Errc::unsupported_protocol);
}

// --- SIZE / MDTM / REST ----------------------------------------------------------------------

TEST(Size, Replies) {
  EXPECT_EQ(parse_size_reply(reply_from("213 1234\r\n")), 1234u);
  EXPECT_EQ(parse_size_reply(reply_from("213 0\r\n")), 0u);
  EXPECT_EQ(parse_size_reply(reply_from("213  42 \r\n")), 42u);
  EXPECT_EQ(parse_size_reply(reply_from("213 18446744073709551615\r\n")), 18446744073709551615u);
  expect_refused<std::uint64_t>(parse_size_reply,
                                {"213 18446744073709551616\r\n", "213 12a\r\n", "213 \r\n", "213 -1\r\n",
                                 "213 1 234\r\n", "213 0x10\r\n"},
                                Errc::bad_size_reply, "550 No such file\r\n");
  EXPECT_THROW(parse_size_reply(reply_from("213 big\r\n")), Error);
}

std::int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int sec = 0) {
  return text::to_unix_seconds({y, mo, d, h, mi, sec});
}

TEST(Mdtm, Replies) {
  EXPECT_EQ(parse_mdtm_reply(reply_from("213 20240116141900\r\n")), utc(2024, 1, 16, 14, 19));
  // A fraction is allowed and dropped: wire's dates are whole seconds.
  EXPECT_EQ(parse_mdtm_reply(reply_from("213 20240116141907.123\r\n")), utc(2024, 1, 16, 14, 19, 7));
  EXPECT_EQ(parse_mdtm_reply(reply_from("213 20240116141907.5\r\n")), utc(2024, 1, 16, 14, 19, 7));
  EXPECT_EQ(parse_mdtm_reply(reply_from("213 20240229000000\r\n")), utc(2024, 2, 29));
  // RFC 3659 §2.3: a leap second.
  EXPECT_EQ(parse_mdtm_reply(reply_from("213 20161231235960\r\n")), utc(2017, 1, 1));
  EXPECT_EQ(parse_mdtm_reply(reply_from("213 19700101000000\r\n")), 0);
  EXPECT_EQ(parse_mdtm_reply(reply_from("213  19700101000001 \r\n")), 1);
  expect_refused<std::int64_t>(parse_mdtm_reply,
                               {"213 2024011614190\r\n", "213 20241316141900\r\n", "213 20230229000000\r\n",
                                "213 20240116241900\r\n", "213 20240116146000\r\n", "213 20240116141961\r\n",
                                "213 20240116141900.\r\n", "213 20240116141900.12a\r\n", "213 20240116141900Z\r\n",
                                "213 191240116141900\r\n", "213 2024-01-16 14:19\r\n", "213 \r\n"},
                               Errc::bad_time_val, "550 No\r\n");
  EXPECT_THROW(parse_mdtm_reply(reply_from("213 yesterday\r\n")), Error);
}

TEST(Mdtm, ServerText) {
  EXPECT_EQ(mdtm_reply_text(utc(2024, 1, 16, 14, 19, 7)), "20240116141907");
  EXPECT_EQ(mdtm_reply_text(utc(1999, 12, 31, 23, 59, 59)), "19991231235959");
  const std::int64_t t = utc(2031, 7, 4, 1, 2, 3);
  EXPECT_EQ(parse_mdtm_reply(reply_from("213 " + mdtm_reply_text(t) + "\r\n")), t);
}

TEST(Rest, ServerParsesOffset) {
  std::error_code ec;
  EXPECT_EQ(parse_rest_argument("0", ec), 0u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(parse_rest_argument("1234567890123", ec), 1234567890123u);
  for (const char* bad : {"", "-1", "12a", " 1", "1 ", "99999999999999999999", "+5"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_rest_argument(bad, ec), 0u);
    EXPECT_EQ(ec, Errc::bad_restart_marker);
  }
}

// --- 257 -------------------------------------------------------------------------------------

TEST(PathReply, Quoting) {
  // RFC 959 Appendix II.
  EXPECT_EQ(parse_path_reply(reply_from("257 \"/usr/dm\" created.\r\n")), "/usr/dm");
  EXPECT_EQ(parse_path_reply(reply_from("257 \"/he said \"\"yo\"\" there\" created\r\n")), "/he said \"yo\" there");
  EXPECT_EQ(parse_path_reply(reply_from("257 \"/Grüße/日本 dir\"\r\n")), "/Grüße/日本 dir");
  EXPECT_EQ(parse_path_reply(reply_from("257 \"\"\"\"\r\n")), "\"");
  EXPECT_EQ(parse_path_reply(reply_from("257 \"/a\"b\"\r\n")), "/a");
  EXPECT_EQ(parse_path_reply(reply_from("257-\"/multi\" is cwd\r\n257 ok\r\n")), "/multi");
  expect_refused<std::string>(parse_path_reply,
                              {"257 /no/quotes\r\n", "257 \"\"\r\n", "257 \"/unterminated\r\n", "257\r\n"},
                              Errc::bad_path_reply, "250 \"/x\"\r\n");
  EXPECT_THROW(parse_path_reply(reply_from("257 none\r\n")), Error);
}

TEST(PathReply, ServerQuotingRoundTrips) {
  EXPECT_EQ(quote_path("/he said \"yo\""), "\"/he said \"\"yo\"\"\"");
  for (std::string path : {"/", "/a b", "/\"", "/\"\"x\"", "/Grüße ✓", "/trailing "}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(parse_path_reply(reply_from("257 " + quote_path(path) + " is the current directory\r\n")), path);
  }
}

TEST(FtpErrors, CategoryAndMessages) {
  EXPECT_STREQ(error_category().name(), "ftp");
  for (int i = static_cast<int>(Errc::unexpected_code); i <= static_cast<int>(Errc::unrepresentable_name); ++i) {
    EXPECT_EQ(make_error_code(static_cast<Errc>(i)).message().find("unknown"), std::string::npos) << i;
  }
  std::error_code ec = Errc::bad_facts;
  EXPECT_EQ(ec, Errc::bad_facts);
  // One catch of dialogue::Error sees FTP's errors too.
  EXPECT_THROW(parse_pasv_reply(reply_from("227 no numbers\r\n")), dialogue::Error);
  EXPECT_NE(ec, dialogue::Errc::malformed_reply);
}

}  // namespace
}  // namespace wire::ftp
