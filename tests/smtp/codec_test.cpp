// SPDX-License-Identifier: MIT
// The sans-I/O parts of wire::smtp, as transcripts: the data transparency of both sides (every
// case whole, byte by byte and cut at random), the end of data only at CRLF.CRLF against the
// smuggling forms, MAIL/RCPT arguments both ways (CR/LF/NUL refused), xtext, EHLO extensions,
// enhanced status codes, SASL messages.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "support/split.hpp"
#include "wire/smtp/data_encoder.hpp"
#include "wire/smtp/data_parser.hpp"
#include "wire/smtp/enhanced_status.hpp"
#include "wire/smtp/envelope.hpp"
#include "wire/smtp/extensions.hpp"
#include "wire/smtp/sasl.hpp"

namespace wire::smtp {
namespace {

using test::all_splits;
using test::cut;
using test::split_name;

std::string encode(std::string_view data, test::Split split) {
  DataEncoder enc;
  std::string out;
  for (std::string_view piece : cut(data, split)) enc.encode(piece, out);
  enc.finish(out);
  return out;
}

TEST(DataEncoder, LineEndsBecomeCrlfAndLeadingDotsDouble) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"", ".\r\n"},
      {"a", "a\r\n.\r\n"},
      {"a\r\n", "a\r\n.\r\n"},
      {"a\nb\rc\r\nd", "a\r\nb\r\nc\r\nd\r\n.\r\n"},
      {".\n..\n.x\nx.\n", "..\r\n...\r\n..x\r\nx.\r\n.\r\n"},
      {"\r\r\n\n", "\r\n\r\n\r\n.\r\n"},
      {"a\n.\nMAIL FROM:<x@y>\n", "a\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n"},  // a smuggling try, defused
      {"a\r.\r", "a\r\n..\r\n.\r\n"},
      {".", "..\r\n.\r\n"},
  };
  for (const auto& c : cases) {
    for (auto split : all_splits()) {
      SCOPED_TRACE(split_name(split) + " of " + c.in);
      EXPECT_EQ(encode(c.in, split), c.out);
    }
  }
}

TEST(DataEncoder, NoBareCrOrLfEverLeaves) {
  std::string data;
  for (int i = 0; i < 4000; ++i) data += "\r\n.a"[(i * 7919) % 4];
  std::string out = encode(data, {});
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\r') {
      ASSERT_EQ(out.at(i + 1), '\n') << i;
    }
    if (out[i] == '\n') {
      ASSERT_EQ(out.at(i - 1), '\r') << i;
    }
  }
  ASSERT_TRUE(out.ends_with("\r\n.\r\n"));
}

struct Parsed {
  std::string message;
  std::size_t used = 0;
  bool done = false;
  DataProblem problem = DataProblem::none;
};

Parsed parse(std::string_view wire, test::Split split, DataLimits limits = {}) {
  DataParser p(limits);
  Parsed r;
  for (std::string_view piece : cut(wire, split)) {
    if (p.done()) break;
    r.used += p.feed(piece, r.message);
  }
  r.done = p.done();
  r.problem = p.problem();
  return r;
}

TEST(DataParser, EndsOnlyAtCrlfDotCrlfAndRemovesStuffing) {
  std::string wire = "a\r\n..b\r\n...\r\n.\r\nNEXT";
  for (auto split : all_splits()) {
    SCOPED_TRACE(split_name(split));
    Parsed r = parse(wire, split);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.problem, DataProblem::none);
    EXPECT_EQ(r.message, "a\r\n.b\r\n..\r\n");
    EXPECT_EQ(r.used, wire.size() - 4);  // "NEXT" is the next command's
  }
}

TEST(DataParser, EmptyMessage) {
  Parsed r = parse(".\r\n", {});
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(r.used, 3u);
}

TEST(DataParser, SmugglingFormsEndNothingAndRefuseTheMessage) {
  // CVE-2023-51764/5/6: ends that another server may take, followed by a smuggled message.
  const char* tails[] = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r\n", "\n.\r"};
  for (const char* tail : tails) {
    std::string wire = std::string("Subject: x\r\n\r\nhello") + tail +
                       "MAIL FROM:<evil@x>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nforged\r\n.\r\nQUIT\r\n";
    for (auto split : all_splits(4)) {
      SCOPED_TRACE(split_name(split) + " tail " + testing::PrintToString(std::string(tail)));
      Parsed r = parse(wire, split);
      ASSERT_TRUE(r.done);
      EXPECT_NE(r.problem, DataProblem::none);
      EXPECT_EQ(r.used, wire.size() - 6);  // the real end is the CRLF.CRLF before QUIT
    }
  }
}

TEST(DataParser, BareLfInsideALineIsRefusedToo) {
  Parsed r = parse("a\nb\r\n.\r\n", {});
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.problem, DataProblem::bare_lf);
  Parsed c = parse("a\rb\r\n.\r\n", {});
  EXPECT_EQ(c.problem, DataProblem::bare_cr);
}

TEST(DataParser, Limits) {
  std::string line(998, 'x');
  EXPECT_EQ(parse(line + "\r\n.\r\n", {}).problem, DataProblem::none);
  EXPECT_EQ(parse(line + "x\r\n.\r\n", {}).problem, DataProblem::line_too_long);
  DataLimits small{.max_message_size = 10, .max_line_length = 1000};
  EXPECT_EQ(parse("12345678\r\n.\r\n", {}, small).problem, DataProblem::none);  // 10 bytes
  Parsed big = parse("123456789\r\n.\r\n", {}, small);
  EXPECT_EQ(big.problem, DataProblem::too_large);
  EXPECT_TRUE(big.done);
}

TEST(Envelope, ArgumentsWithParameters) {
  DsnRequest dsn{.ret = "hdrs", .envid = "id+1 =x", .notify = "success,failure", .orcpt = true};
  EXPECT_EQ(mail_arguments("a@example.org", 1234, true, false, &dsn),
            (std::vector<std::string>{"FROM:<a@example.org>", "SIZE=1234", "BODY=8BITMIME", "RET=HDRS",
                                      "ENVID=id+2B1+20+3Dx"}));
  EXPECT_EQ(mail_arguments("", std::nullopt, false, false, nullptr), (std::vector<std::string>{"FROM:<>"}));
  EXPECT_EQ(rcpt_arguments("b@example.org", false, &dsn),
            (std::vector<std::string>{"TO:<b@example.org>", "NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;b@example.org"}));
  EXPECT_EQ(mail_arguments("ä@例え.jp", std::nullopt, false, true, nullptr),
            (std::vector<std::string>{"FROM:<ä@例え.jp>", "SMTPUTF8"}));
}

TEST(Envelope, InjectionIsRefusedBeforeAnythingIsMade) {
  const std::string bad[] = {"a@b.org\r\nRCPT TO:<c@d.org>", "a@b.org\n", "a@b.org\r", std::string("a\0@b.org", 8),
                             "a@b.org> SIZE=1", "<a@b.org>", "a b@c.org", "no-at-sign", ""};
  for (const std::string& address : bad) {
    SCOPED_TRACE(testing::PrintToString(address));
    EXPECT_THROW(rcpt_arguments(address, false, nullptr), std::invalid_argument);
    if (!address.empty()) {
      EXPECT_THROW(mail_arguments(address, {}, false, false, nullptr), std::invalid_argument);
    }
  }
  EXPECT_THROW(mail_arguments("ä@b.org", {}, false, false, nullptr), std::invalid_argument);  // UTF-8 needs SMTPUTF8
  DsnRequest evil{.ret = "FULL\r\nRSET"};
  EXPECT_THROW(mail_arguments("a@b.org", {}, false, false, &evil), std::invalid_argument);
  DsnRequest evil2{.notify = "NEVER\r\nRSET"};
  EXPECT_THROW(rcpt_arguments("a@b.org", false, &evil2), std::invalid_argument);
  DsnRequest envid{.envid = "x\r\ny"};
  EXPECT_EQ(mail_arguments("a@b.org", {}, false, false, &envid).back(), "ENVID=x+0D+0Ay");  // xtext keeps it one word
}

TEST(Envelope, ServerParsesPaths) {
  PathArgument p;
  ASSERT_EQ(parse_path_argument("FROM:<a@example.org> SIZE=100 BODY=8BITMIME", "FROM:", false, p), PathErrc::ok);
  EXPECT_EQ(p.address, "a@example.org");
  EXPECT_EQ(p.param("size"), "100");
  EXPECT_EQ(p.param("BODY"), "8BITMIME");
  EXPECT_FALSE(p.param("RET"));
  ASSERT_EQ(parse_path_argument("from: <>", "FROM:", false, p), PathErrc::ok);
  EXPECT_EQ(p.address, "");
  ASSERT_EQ(parse_path_argument("TO:<@relay.example,@b.example:bob@example.org>", "TO:", false, p), PathErrc::ok);
  EXPECT_EQ(p.address, "bob@example.org");
  ASSERT_EQ(parse_path_argument("TO:<\"a>b\"@example.org>", "TO:", false, p), PathErrc::ok);
  EXPECT_EQ(p.address, "\"a>b\"@example.org");
  ASSERT_EQ(parse_path_argument("TO:<Postmaster>", "TO:", false, p), PathErrc::ok);
  EXPECT_EQ(parse_path_argument("TO:<>", "TO:", false, p), PathErrc::bad_address);
  EXPECT_EQ(parse_path_argument("TO:bob@example.org", "TO:", false, p), PathErrc::bad_syntax);
  EXPECT_EQ(parse_path_argument("TO:<bob@example.org", "TO:", false, p), PathErrc::bad_syntax);
  EXPECT_EQ(parse_path_argument("TO:<bob@example.org>x", "TO:", false, p), PathErrc::bad_syntax);
  EXPECT_EQ(parse_path_argument("TO:<bob>", "TO:", false, p), PathErrc::bad_address);
  EXPECT_EQ(parse_path_argument("TO:<ä@example.org>", "TO:", false, p), PathErrc::bad_address);
  EXPECT_EQ(parse_path_argument("TO:<ä@example.org>", "TO:", true, p), PathErrc::ok);
  EXPECT_EQ(parse_path_argument("FROM:<a@b.org> =x", "FROM:", false, p), PathErrc::bad_param);
  EXPECT_EQ(parse_path_argument("FROM:<a@b.org> SIZE=", "FROM:", false, p), PathErrc::bad_param);
}

TEST(Xtext, RoundTrip) {
  EXPECT_EQ(encode_xtext("a+b=c d\x7f"), "a+2Bb+3Dc+20d+7F");
  EXPECT_EQ(decode_xtext("a+2Bb+3Dc+20d+7F"), "a+b=c d\x7f");
  EXPECT_FALSE(decode_xtext("a+2"));
  EXPECT_FALSE(decode_xtext("a+zz"));
}

TEST(EnhancedStatus, Parses) {
  std::string_view rest;
  auto s = parse_enhanced_status("5.1.1 No such user", &rest);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (EnhancedStatus{5, 1, 1}));
  EXPECT_EQ(rest, "No such user");
  EXPECT_EQ(parse_enhanced_status("2.0.0", &rest)->str(), "2.0.0");
  EXPECT_EQ(parse_enhanced_status("4.123.999 x")->str(), "4.123.999");
  EXPECT_FALSE(parse_enhanced_status("3.0.0 x"));
  EXPECT_FALSE(parse_enhanced_status("5.1.1234 x"));
  EXPECT_FALSE(parse_enhanced_status("5.1 x"));
  EXPECT_FALSE(parse_enhanced_status("5.1.1x"));
  EXPECT_FALSE(parse_enhanced_status("Ok"));
}

TEST(Extensions, ParsesAnEhloReply) {
  dialogue::Reply r{250, {"mx.example.org greets you", "PIPELINING", "SIZE 35882577", "auth plain LOGIN",
                          "AUTH=XOAUTH2", "8bitmime", "STARTTLS", "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN"}};
  Extensions e = Extensions::parse(r);
  EXPECT_EQ(e.domain(), "mx.example.org");
  EXPECT_TRUE(e.pipelining());
  EXPECT_TRUE(e.starttls());
  EXPECT_TRUE(e.eight_bit_mime());
  EXPECT_TRUE(e.smtputf8());
  EXPECT_TRUE(e.dsn());
  EXPECT_TRUE(e.enhanced_status_codes());
  EXPECT_EQ(e.size(), 35882577u);
  EXPECT_EQ(e.auth_mechanisms(), (std::vector<std::string>{"PLAIN", "LOGIN", "XOAUTH2"}));
  Extensions none = Extensions::parse({250, {"x", "SIZE"}});
  EXPECT_EQ(none.size(), 0u);
  EXPECT_FALSE(none.pipelining());
  EXPECT_FALSE(Extensions::parse({250, {"x"}}).size());
}

TEST(Sasl, Messages) {
  EXPECT_EQ(sasl_plain("anna", "secret"), "AGFubmEAc2VjcmV0");
  auto c = parse_sasl_plain("AGFubmEAc2VjcmV0");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "anna");
  EXPECT_EQ(c->password, "secret");
  EXPECT_FALSE(parse_sasl_plain("AGFubmE="));   // two fields
  EXPECT_FALSE(parse_sasl_plain("not base64"));
  EXPECT_THROW(sasl_plain(std::string("a\0b", 3), "x"), std::invalid_argument);
  // user=anna^Aauth=Bearer tok^A^A
  EXPECT_EQ(sasl_xoauth2("anna", "tok"), "dXNlcj1hbm5hAWF1dGg9QmVhcmVyIHRvawEB");
  EXPECT_THROW(sasl_xoauth2("anna", "tok\r\n"), std::invalid_argument);
}

}  // namespace
}  // namespace wire::smtp
