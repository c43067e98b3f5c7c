// SPDX-License-Identifier: MIT
// ReplyParser: transcripts of bytes in and replies out, each checked whole, byte by byte and
// cut at random points.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/random.hpp"
#include "transcript.hpp"
#include "wire/dialogue/reply_parser.hpp"

namespace wire::dialogue {
namespace {

using test::all_splits;
using test::error_line;
using test::run_replies;
using test::Split;
using test::split_name;
using Lines = std::vector<std::string>;

// The same transcript however the bytes arrive.
void expect_replies(Syntax syntax, std::string_view input, const Lines& expected, bool eof = false,
                    const ReplyLimits& limits = {}) {
  for (Split split : all_splits()) {
    SCOPED_TRACE(split_name(split));
    EXPECT_EQ(run_replies(input, split, syntax, eof, limits).lines, expected);
  }
}

void expect_both(std::string_view input, const Lines& expected, bool eof = false, const ReplyLimits& limits = {}) {
  {
    SCOPED_TRACE("ftp");
    expect_replies(Syntax::ftp, input, expected, eof, limits);
  }
  {
    SCOPED_TRACE("smtp");
    expect_replies(Syntax::smtp, input, expected, eof, limits);
  }
}

Lines with_error(Lines before, Errc code) {
  before.push_back(error_line(code));
  return before;
}

// --- well-formed replies ---------------------------------------------------------------------

TEST(ReplyParser, SingleLine) {
  expect_both("220 Service ready for new user.\r\n", {"reply 220 {Service ready for new user.}"});
}

TEST(ReplyParser, CodeWithoutText) {
  // RFC 5321 §4.2: Reply-code [ SP textstring ] CRLF; some FTP servers send the same.
  expect_both("200\r\n200 \r\n", {"reply 200 {}", "reply 200 {}"});
}

TEST(ReplyParser, EveryClassOfCode) {
  expect_both("110 a\r\n250 b\r\n331 c\r\n421 d\r\n554 e\r\n",
              {"reply 110 {a}", "reply 250 {b}", "reply 331 {c}", "reply 421 {d}", "reply 554 {e}"});
}

TEST(ReplyParser, FtpMultiLineOfRfc959) {
  // The example of RFC 959 §4.2, with the padded line that begins with digits.
  expect_replies(Syntax::ftp,
                 "123-First line\r\n"
                 "Second line\r\n"
                 "  234 A line beginning with numbers\r\n"
                 "123 The last line\r\n",
                 {"reply 123 {First line} {Second line} {  234 A line beginning with numbers} {The last line}"});
}

TEST(ReplyParser, FtpLinesBetweenMayBeginWithAnything) {
  // Free text between: digits not followed by SP, other codes with "-", lines of the same
  // code with "-" (their prefix dropped), empty lines, spaces, UTF-8.
  expect_replies(Syntax::ftp,
                 "211-Status of \"/srv\":\r\n"
                 "1234 is not a code and SP\r\n"
                 "12:00 noon\r\n"
                 "230-another code with a hyphen\r\n"
                 "211-same code, prefix dropped\r\n"
                 "\r\n"
                 " drwxr-xr-x 2 ftp ftp 4096 Jan 16 14:19 Grüße\r\n"
                 "2110 four digits\r\n"
                 "211 End of status\r\n",
                 {"reply 211 {Status of \"/srv\":} {1234 is not a code and SP} {12:00 noon} "
                  "{230-another code with a hyphen} {same code, prefix dropped} {} "
                  "{ drwxr-xr-x 2 ftp ftp 4096 Jan 16 14:19 Grüße} {2110 four digits} {End of status}"});
}

TEST(ReplyParser, FtpFeatReply) {
  expect_replies(Syntax::ftp,
                 "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n"
                 " SIZE\r\n UTF8\r\n211 End\r\n",
                 {"reply 211 {Features:} { EPRT} { EPSV} { MDTM} { MLST type*;size*;modify*;} { REST STREAM} "
                  "{ SIZE} { UTF8} {End}"});
}

TEST(ReplyParser, FtpLastLineWithoutText) {
  expect_replies(Syntax::ftp, "230-Welcome\r\n to the server\r\n230\r\n",
                 {"reply 230 {Welcome} { to the server} {}"});
}

TEST(ReplyParser, SmtpEhloReply) {
  // RFC 5321 §4.2.1: every line carries the code.
  expect_replies(Syntax::smtp,
                 "250-mail.example.org Hello client.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                 "250-8BITMIME\r\n250 SMTPUTF8\r\n",
                 {"reply 250 {mail.example.org Hello client.example.com} {PIPELINING} {SIZE 10240000} "
                  "{8BITMIME} {SMTPUTF8}"});
  expect_replies(Syntax::smtp, "250-first\r\n250\r\n", {"reply 250 {first} {}"});
}

TEST(ReplyParser, PipelinedReplies) {
  expect_replies(Syntax::smtp, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550-5.1.1 No such\r\n550 5.1.1 user\r\n354 Go\r\n",
                 {"reply 250 {2.1.0 Ok}", "reply 250 {2.1.5 Ok}", "reply 550 {5.1.1 No such} {5.1.1 user}",
                  "reply 354 {Go}"});
}

TEST(ReplyParser, TextKeptByteForByte) {
  // UTF-8, Latin-1 bytes, tabs, quotes and Telnet's 0xFF are text: nothing is decoded.
  expect_both("257 \"/tmp/Grüße ✓\" created\r\n250 caf\xe9\t\xff\"\r\n",
              {"reply 257 {\"/tmp/Grüße ✓\" created}", "reply 250 {caf\xe9\t\xff\"}"});
}

TEST(ReplyParser, BareLfEndsALineByDefault) {
  expect_both("220 hello\n", {"reply 220 {hello}"});
  expect_replies(Syntax::ftp, "211-a\r\nb\n211 c\n", {"reply 211 {a} {b} {c}"});
  expect_replies(Syntax::smtp, "250-a\n250 b\r\n", {"reply 250 {a} {b}"});
}

TEST(ReplyParser, BareLfRefusedWhenStrict) {
  ReplyLimits strict;
  strict.accept_bare_lf = false;
  expect_both("220 hello\n", with_error({}, Errc::bare_lf), false, strict);
  expect_both("220 ok\r\n211-a\nb\r\n", with_error({"reply 220 {ok}"}, Errc::bare_lf), false, strict);
  expect_both("220 ok\r\n", {"reply 220 {ok}"}, false, strict);
}

// --- malformed replies -----------------------------------------------------------------------

TEST(ReplyParser, BareCr) {
  expect_both("220 a\rb\r\n", with_error({}, Errc::bare_cr));
  expect_both("220 a\r\r\n", with_error({}, Errc::bare_cr));
  expect_both("250 ok\r\n\r220 a\r\n", with_error({"reply 250 {ok}"}, Errc::bare_cr));
  // Telnet's CR NUL (a CR that is text) is refused too.
  expect_both(std::string_view("220 a\r\0b\r\n", 10), with_error({}, Errc::bare_cr));
}

TEST(ReplyParser, NulByte) { expect_both(std::string_view("220 a\0b\r\n", 9), with_error({}, Errc::nul_byte)); }

TEST(ReplyParser, MalformedFirstLine) {
  for (std::string bad : {"\r\n", "22 short\r\n", "abc def\r\n", "2200 four digits\r\n", "620 first digit 6\r\n",
                          "020 first digit 0\r\n", "920 x\r\n", "220x no separator\r\n", " 220 leading space\r\n",
                          "2a0 letter\r\n", "220\tTab\r\n", "220_x\r\n"}) {
    SCOPED_TRACE(bad);
    expect_both(bad, with_error({}, Errc::malformed_reply));
  }
}

TEST(ReplyParser, ErrorAfterGoodReplies) {
  expect_both("220 ok\r\n230 ok\r\nHTTP/1.1 200 OK\r\n",
              with_error({"reply 220 {ok}", "reply 230 {ok}"}, Errc::malformed_reply));
}

TEST(ReplyParser, FtpLastLineWithAnotherCode) {
  // RFC 959 §4.2: a line between that begins with a code and SP would have been padded.
  expect_replies(Syntax::ftp, "150-Opening\r\n226 Transfer complete\r\n", with_error({}, Errc::code_mismatch));
  expect_replies(Syntax::ftp, "150-Opening\r\n226\r\n", with_error({}, Errc::code_mismatch));
  expect_replies(Syntax::ftp, "150-Opening\r\nmore\r\n999 x\r\n", with_error({}, Errc::code_mismatch));
}

TEST(ReplyParser, SmtpLineWithAnotherCode) {
  expect_replies(Syntax::smtp, "250-a\r\n251-b\r\n250 c\r\n", with_error({}, Errc::code_mismatch));
  expect_replies(Syntax::smtp, "250-a\r\n251 b\r\n", with_error({}, Errc::code_mismatch));
}

TEST(ReplyParser, SmtpLineWithoutCode) {
  for (std::string bad : {"250-a\r\nplain text\r\n250 b\r\n", "250-a\r\n PIPELINING\r\n250 b\r\n",
                          "250-a\r\n250x\r\n", "250-a\r\n\r\n250 b\r\n", "250-a\r\n25 b\r\n"}) {
    SCOPED_TRACE(bad);
    expect_replies(Syntax::smtp, bad, with_error({}, Errc::malformed_reply));
  }
}

TEST(ReplyParser, Truncated) {
  expect_both("220 partial", with_error({}, Errc::truncated_reply), true);
  expect_both("220 partial\r", with_error({}, Errc::truncated_reply), true);
  expect_replies(Syntax::ftp, "211-Features:\r\n UTF8\r\n", with_error({}, Errc::truncated_reply), true);
  expect_replies(Syntax::smtp, "250 ok\r\n250-a\r\n", with_error({"reply 250 {ok}"}, Errc::truncated_reply), true);
  // Between replies, the end is no error.
  expect_both("221 Goodbye\r\n", {"reply 221 {Goodbye}"}, true);
  expect_both("", {}, true);
}

TEST(ReplyParser, ErrorIsStickyAndStopsConsuming) {
  ReplyParser p(Syntax::ftp);
  std::string in = "220 ok\r\nbad\r\n220 again\r\n";
  std::size_t n = p.feed(in);
  EXPECT_EQ(n, 8u);  // stops after the first reply
  EXPECT_EQ(p.next().kind, ReplyEvent::reply);
  std::string_view rest = std::string_view(in).substr(n);
  // "bad\r\n" is refused at its line end: the CR was consumed, the LF that ended the line was not.
  EXPECT_EQ(p.feed(rest), 4u);
  EXPECT_EQ(p.next().kind, ReplyEvent::error);
  EXPECT_EQ(p.error(), Errc::malformed_reply);
  EXPECT_EQ(p.feed(rest.substr(4)), 0u);
  EXPECT_EQ(p.next().kind, ReplyEvent::error);
  p.feed_eof();
  EXPECT_EQ(p.next().kind, ReplyEvent::error);
  EXPECT_EQ(p.error(), Errc::malformed_reply);
  EXPECT_FALSE(p.in_reply());
}

TEST(ReplyParser, RestAfterErrorIsTheSameHoweverSplit) {
  for (Split split : all_splits()) {
    SCOPED_TRACE(split_name(split));
    auto run = run_replies("220 a\rXYZ", split, Syntax::ftp);
    EXPECT_EQ(run.lines, with_error({}, Errc::bare_cr));
    EXPECT_EQ(run.rest, "XYZ");
  }
}

// --- limits ----------------------------------------------------------------------------------

TEST(ReplyParser, LineLengthLimitIsExact) {
  ReplyLimits limits;
  limits.max_line_length = 16;
  // "220 " + 10 + CRLF = 16 bytes: passes; one more byte fails.
  expect_both("220 0123456789\r\n", {"reply 220 {0123456789}"}, false, limits);
  expect_both("220 0123456789A\r\n", with_error({}, Errc::line_too_long), false, limits);
  // With a bare LF the line end is one byte.
  expect_both("220 0123456789A\n", {"reply 220 {0123456789A}"}, false, limits);
  expect_both("220 0123456789AB\n", with_error({}, Errc::line_too_long), false, limits);
  // Lines between count one by one, not together.
  expect_replies(Syntax::ftp, "211-0123456789\r\n0123456789abcd\r\n211 0123456789\r\n",
                 {"reply 211 {0123456789} {0123456789abcd} {0123456789}"}, false, limits);
}

TEST(ReplyParser, LongLineRefusedBeforeItsEnd) {
  // The error comes at the byte past the limit: a server that never ends a line is stopped.
  ReplyParser p(Syntax::ftp);
  std::string in = "220 " + std::string(100'000, 'x');
  std::size_t n = p.feed(in);
  EXPECT_EQ(n, 8 * 1024 - 1u);  // the default limit: 8 KiB with the line end
  EXPECT_EQ(p.next().kind, ReplyEvent::error);
  EXPECT_EQ(p.error(), Errc::line_too_long);
}

TEST(ReplyParser, LineCountLimitIsExact) {
  ReplyLimits limits;
  limits.max_lines = 3;
  expect_replies(Syntax::ftp, "211-a\r\nb\r\n211 c\r\n", {"reply 211 {a} {b} {c}"}, false, limits);
  expect_replies(Syntax::ftp, "211-a\r\nb\r\nc\r\n211 d\r\n", with_error({}, Errc::too_many_lines), false, limits);
  expect_replies(Syntax::smtp, "250-a\r\n250-b\r\n250-c\r\n250 d\r\n", with_error({}, Errc::too_many_lines), false,
                 limits);
  // The count is per reply.
  expect_replies(Syntax::smtp, "250-a\r\n250-b\r\n250 c\r\n250-a\r\n250-b\r\n250 c\r\n",
                 {"reply 250 {a} {b} {c}", "reply 250 {a} {b} {c}"}, false, limits);
}

TEST(ReplyParser, ReplySizeLimitIsExact) {
  ReplyLimits limits;
  limits.max_reply_bytes = 20;
  // 7 + 6 + 7 = 20 bytes.
  expect_replies(Syntax::ftp, "211-a\r\nbcde\r\n211 f\r\n", {"reply 211 {a} {bcde} {f}"}, false, limits);
  expect_replies(Syntax::ftp, "211-a\r\nbcdef\r\n211 f\r\n", with_error({}, Errc::reply_too_large), false, limits);
  // Per reply: two replies of 20 bytes each pass.
  expect_replies(Syntax::smtp, "250 0123456789abcd\r\n250 0123456789abcd\r\n",
                 {"reply 250 {0123456789abcd}", "reply 250 {0123456789abcd}"}, false, limits);
}

// --- the API ---------------------------------------------------------------------------------

TEST(ReplyParser, FeedStopsAfterEachReply) {
  ReplyParser p(Syntax::smtp);
  std::string in = "250 a\r\n250 bb\r\n";
  EXPECT_EQ(p.feed(in), 7u);
  EXPECT_THROW(p.feed(std::string_view(in).substr(7)), std::logic_error);  // the reply is not taken yet
  EXPECT_EQ(p.next().kind, ReplyEvent::reply);
  EXPECT_EQ(p.reply(), (Reply{250, {"a"}}));
  EXPECT_EQ(p.next().kind, ReplyEvent::need_more);
  EXPECT_EQ(p.reply().code, 250);  // valid until the next feed()
  EXPECT_EQ(p.feed(std::string_view(in).substr(7)), 8u);
  EXPECT_EQ(p.next().kind, ReplyEvent::reply);
  Reply r = p.take_reply();
  EXPECT_EQ(r, (Reply{250, {"bb"}}));
  EXPECT_EQ(p.next().kind, ReplyEvent::need_more);
}

TEST(ReplyParser, InReply) {
  ReplyParser p(Syntax::ftp);
  EXPECT_FALSE(p.in_reply());
  EXPECT_EQ(p.feed("2"), 1u);
  EXPECT_TRUE(p.in_reply());
  EXPECT_EQ(p.feed("34-a\r\n"), 6u);
  EXPECT_TRUE(p.in_reply());
  EXPECT_EQ(p.next().kind, ReplyEvent::need_more);
  EXPECT_EQ(p.feed("234 b\r"), 6u);
  EXPECT_TRUE(p.in_reply());
  EXPECT_EQ(p.feed("\n"), 1u);
  EXPECT_EQ(p.next().kind, ReplyEvent::reply);
  EXPECT_FALSE(p.in_reply());
}

TEST(ReplyParser, FeedBytesAndEof) {
  ReplyParser p(Syntax::ftp);
  std::string in = "221 bye\r\n";
  std::vector<std::byte> bytes(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) bytes[i] = static_cast<std::byte>(in[i]);
  EXPECT_EQ(p.feed(std::span<const std::byte>(bytes)), in.size());
  p.feed_eof();  // the reply is still reported
  EXPECT_EQ(p.next().kind, ReplyEvent::reply);
  EXPECT_EQ(p.reply(), (Reply{221, {"bye"}}));
  EXPECT_EQ(p.feed("220 more\r\n"), 0u);  // nothing after the end
  EXPECT_EQ(p.next().kind, ReplyEvent::need_more);
  EXPECT_FALSE(p.error());
}

TEST(ReplyParser, ReplyHelpers) {
  Reply r{150, {"a", "b", "c"}};
  EXPECT_EQ(r.text(), "a\nb\nc");
  EXPECT_TRUE(r.positive_preliminary());
  EXPECT_FALSE(r.positive_completion());
  EXPECT_FALSE(r.negative());
  EXPECT_TRUE((Reply{226, {}}).positive_completion());
  EXPECT_EQ((Reply{226, {}}).text(), "");
  EXPECT_TRUE((Reply{331, {}}).positive_intermediate());
  EXPECT_TRUE((Reply{421, {}}).transient_negative());
  EXPECT_TRUE((Reply{421, {}}).negative());
  EXPECT_TRUE((Reply{550, {}}).permanent_negative());
  EXPECT_TRUE((Reply{550, {}}).negative());
  EXPECT_FALSE((Reply{550, {}}).transient_negative());
}

TEST(ReplyParser, GarbageGivesTheSameOutcomeHoweverSplit) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::string garbage = wire::test::random_string(300, seed);
    // Make some of it look like replies, so the parser gets past the first line.
    if (seed % 2) garbage = "211-x\r\n" + garbage;
    for (Syntax syntax : {Syntax::ftp, Syntax::smtp}) {
      Lines reference = run_replies(garbage, {Split::whole, 0}, syntax, true).lines;
      ASSERT_FALSE(reference.empty());
      EXPECT_EQ(reference.back().rfind("error: ", 0), 0u) << reference.back();
      for (Split split : all_splits(2)) EXPECT_EQ(run_replies(garbage, split, syntax, true).lines, reference);
    }
  }
}

}  // namespace
}  // namespace wire::dialogue
