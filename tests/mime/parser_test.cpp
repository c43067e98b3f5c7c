// SPDX-License-Identifier: MIT
// MessageParser: transcripts of bytes in and events out, each checked whole, byte by byte and
// cut at random points; garbage, truncation and every limit.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/random.hpp"
#include "transcript.hpp"
#include "wire/mime/parser.hpp"

namespace wire::mime {
namespace {

using test::all_splits;
using test::error_line;
using test::Split;
using Lines = std::vector<std::string>;

void expect_transcript(std::string_view input, const Lines& expected, const ParserLimits& limits = {}) {
  for (Split split : all_splits()) {
    SCOPED_TRACE(test::split_name(split));
    EXPECT_EQ(test::run(input, split, limits), expected);
  }
}

void expect_error(std::string_view input, Errc code, Lines before, const ParserLimits& limits = {}) {
  before.push_back(error_line(code));
  expect_transcript(input, before, limits);
}

// --- well-formed messages ---------------------------------------------------------------------

TEST(MessageParser, SinglePart) {
  expect_transcript("From: a@example.com\r\nSubject: hi\r\n\r\nHello\r\n.\r\n..\r\n",
                    {"begin 0 text/plain", "data Hello\r\n.\r\n..\r\n", "end-part 0", "end"});
}

TEST(MessageParser, HeaderOnlyAndEmptyBody) {
  expect_transcript("From: a@example.com\r\n", {"begin 0 text/plain", "end-part 0", "end"});
  expect_transcript("From: a@example.com\r\n\r\n", {"begin 0 text/plain", "end-part 0", "end"});
  expect_transcript("", {"begin 0 text/plain", "end-part 0", "end"});
}

TEST(MessageParser, HeaderFieldsUnfoldedAndDefaults) {
  MessageParser p;
  p.feed("Subject: a\r\n  folded\r\n\tline\r\nX-Empty:\r\nContent-Type: Text/HTML; Charset=\"UTF-8\"\r\n"
         "Content-Transfer-Encoding: QUOTED-printable\r\n\r\nx=3Dy");
  Event e = p.next();
  ASSERT_EQ(e.kind, EventKind::part_begin);
  EXPECT_EQ(e.part->headers.get("subject"), "a  folded\tline");
  EXPECT_EQ(e.part->headers.get("x-empty"), "");
  EXPECT_EQ(e.part->content_type.mime_type(), "text/html");
  EXPECT_EQ(e.part->content_type.params.get("charset"), "UTF-8");
  EXPECT_EQ(e.part->transfer_encoding, "quoted-printable");
  EXPECT_EQ(e.part->depth, 0u);
  EXPECT_EQ(p.headers().size(), 4u);
  e = p.next();
  ASSERT_EQ(e.kind, EventKind::data);
  EXPECT_EQ(e.data, "x=y");
  EXPECT_EQ(p.next().kind, EventKind::need_more);
  p.feed_eof();
  EXPECT_EQ(p.next().kind, EventKind::part_end);
  EXPECT_EQ(p.next().kind, EventKind::end);
  EXPECT_EQ(p.next().kind, EventKind::need_more);
  EXPECT_FALSE(p.error());
}

TEST(MessageParser, DefaultTypeIsUsAsciiTextAndBadContentTypeFallsBack) {
  MessageParser p;
  p.feed("Content-Type: nonsense\r\n\r\nx");
  Event e = p.next();
  ASSERT_EQ(e.kind, EventKind::part_begin);
  EXPECT_TRUE(e.part->content_type_invalid);
  EXPECT_EQ(e.part->content_type.mime_type(), "text/plain");  // RFC 2045 §5.2
  EXPECT_EQ(e.part->content_type.params.get("charset"), "us-ascii");
}

const char kMixed[] =
    "From: a@example.com\r\n"
    "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n"
    "\r\n"
    "This is the preamble.\r\n"
    "--XYZ\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "first\r\n"
    "--XYZ \t \r\n"  // transport padding
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"a.bin\"\r\n"
    "\r\n"
    "AAEC\r\n"
    "/w==\r\n"
    "--XYZ--\r\n"
    "This is the epilogue.\r\n";

TEST(MessageParser, MultipartWithPreambleEpilogueAndPadding) {
  expect_transcript(kMixed, {"begin 0 multipart/mixed", "begin 1 text/plain", "data first", "end-part 1",
                             "begin 1 application/octet-stream", std::string("data \x00\x01\x02\xff", 9),
                             "end-part 1", "end-part 0", "end"});
}

TEST(MessageParser, NestedMultipartAndEmptyParts) {
  const char* msg =
      "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
      "--inner\r\n\r\nplain\r\n"
      "--inner\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
      "--inner--\r\n"
      "--outer\r\n"
      "\r\n"          // no header fields: text/plain
      "--outer\r\n"   // an empty body right after the empty line
      "Content-Type: text/plain\r\n\r\n"
      "\r\n"
      "--outer--";
  expect_transcript(msg, {"begin 0 multipart/mixed", "begin 1 multipart/alternative", "begin 2 text/plain",
                          "data plain", "end-part 2", "begin 2 text/html", "data <p>html</p>", "end-part 2",
                          "end-part 1", "begin 1 text/plain", "end-part 1", "begin 1 text/plain", "end-part 1",
                          "end-part 0", "end"});
}

TEST(MessageParser, BoundaryLookalikesAreBody) {
  const char* msg =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n\r\n"
      "--bx\r\n"        // starts with the boundary: text (as in Python)
      " --b\r\n"        // not at the start of the line
      "--b--x\r\n"      // a close delimiter must end the line
      "--\r\n"
      "--b--";
  expect_transcript(msg, {"begin 0 multipart/mixed", "begin 1 text/plain", "data --bx\r\n --b\r\n--b--x\r\n--",
                          "end-part 1", "end-part 0", "end"});
}

TEST(MessageParser, LfLineEnds) {
  const char* msg =
      "From: a@example.com\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
      "--b\nContent-Transfer-Encoding: quoted-printable\n\nGr=C3=BC=\n=C3=9Fe  \nline\n"
      "--b--\n";
  expect_transcript(msg, {"begin 0 multipart/mixed", "begin 1 text/plain", "data Grüße\nline", "end-part 1",
                          "end-part 0", "end"});
}

TEST(MessageParser, DigestPartsDefaultToMessage) {
  const char* msg =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n"
      "--d\r\n\r\nSubject: inner\r\n\r\nbody\r\n"
      "--d--\r\n";
  expect_transcript(msg, {"begin 0 multipart/digest", "begin 1 message/rfc822", "data Subject: inner\r\n\r\nbody",
                          "end-part 1", "end-part 0", "end"});
}

TEST(MessageParser, UnknownTransferEncodingPassesBytes) {
  MessageParser p;
  p.feed("Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n");
  Event e = p.next();
  ASSERT_EQ(e.kind, EventKind::part_begin);
  EXPECT_TRUE(e.part->unknown_transfer_encoding);
  e = p.next();
  ASSERT_EQ(e.kind, EventKind::data);
  EXPECT_EQ(e.data, "begin 644 a\r\n");
}

TEST(MessageParser, MultipartCloseAtEndOfInputWithoutLineBreak) {
  expect_transcript("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--",
                    {"begin 0 multipart/mixed", "begin 1 text/plain", "data x", "end-part 1", "end-part 0", "end"});
}

TEST(MessageParser, LargeBodyAtRandomSplitsMatchesInput) {
  // A base64 attachment of 200 KB: the decoded bytes must be the original, however cut.
  std::string data = wire::test::random_string(200'000, 7);
  std::string b64;
  for (std::size_t i = 0; i < data.size(); i += 57) {
    std::string_view chunk = std::string_view(data).substr(i, 57);
    static const char kAlpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t k = 0; k < chunk.size(); k += 3) {
      std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(chunk[k])) << 16;
      std::size_t n = std::min<std::size_t>(3, chunk.size() - k);
      if (n > 1) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(chunk[k + 1])) << 8;
      if (n > 2) v |= static_cast<unsigned char>(chunk[k + 2]);
      b64 += kAlpha[v >> 18 & 63];
      b64 += kAlpha[v >> 12 & 63];
      b64 += n > 1 ? kAlpha[v >> 6 & 63] : '=';
      b64 += n > 2 ? kAlpha[v & 63] : '=';
    }
    b64 += "\r\n";
  }
  std::string msg = "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                    b64 + "\r\n--q--\r\n";
  for (Split split : {Split{Split::whole, 0}, Split{Split::random, 3}, Split{Split::random, 4}}) {
    SCOPED_TRACE(test::split_name(split));
    auto lines = test::run(msg, split);
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[2], "data " + data);
  }
}

// --- garbage, truncation, limits -------------------------------------------------------------

TEST(MessageParser, GarbageHeaders) {
  expect_error("no colon here\r\n\r\n", Errc::bad_header_line, {});
  expect_error(" continuation first\r\n\r\n", Errc::bad_header_line, {});
  expect_error("Bad Name: x\r\n\r\n", Errc::bad_header_line, {});
  expect_error(": empty name\r\n\r\n", Errc::bad_header_line, {});
  expect_error("A: bare\rCR\r\n\r\n", Errc::bad_header_line, {});
  expect_error(std::string("A: n\0l\r\n\r\n", 10), Errc::bad_header_line, {});
  // A part's header too.
  expect_error("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nnot a field\r\n\r\n--b--\r\n",
               Errc::bad_header_line, {"begin 0 multipart/mixed"});
}

TEST(MessageParser, ObsoleteSpaceBeforeColonIsAccepted) {
  MessageParser p;
  p.feed("Subject \t: x\r\n\r\n");
  ASSERT_EQ(p.next().kind, EventKind::part_begin);
  EXPECT_EQ(p.headers().get("Subject"), "x");
}

TEST(MessageParser, Truncation) {
  expect_error("From: a@exa", Errc::truncated_header, {});
  expect_error("Content-Type: multipart/mixed; boundary=b\r\n\r\npreamble only\r\n", Errc::truncated,
               {"begin 0 multipart/mixed"});
  expect_error("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n",
               Errc::truncated, {"begin 0 multipart/mixed"});
  expect_error("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhalf a bo", Errc::truncated,
               {"begin 0 multipart/mixed", "begin 1 text/plain", "data half a bo"});
  expect_error("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b", Errc::truncated,
               {"begin 0 multipart/mixed", "begin 1 text/plain", "data x\r\n--b"});
  // An inner multipart cut off by the outer delimiter.
  expect_error("Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
               "--i\r\n\r\nx\r\n--o--\r\n",
               Errc::truncated, {"begin 0 multipart/mixed", "begin 1 multipart/mixed", "begin 2 text/plain", "data x"});
}

TEST(MessageParser, BadBase64) {
  // "YQ==" is held until the end tells it is complete; the data after the padding is the fault.
  expect_error("Content-Transfer-Encoding: base64\r\n\r\nYQ==YQ==\r\n", Errc::bad_base64, {"begin 0 text/plain"});
  expect_error("Content-Transfer-Encoding: base64\r\n\r\nYWJjZ\r\n", Errc::bad_base64,
               {"begin 0 text/plain", "data abc"});
}

TEST(MessageParser, MissingBoundary) {
  expect_error("Content-Type: multipart/mixed\r\n\r\n--b\r\n", Errc::bad_boundary, {});
  expect_error("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n", Errc::bad_boundary, {});
}

TEST(MessageParser, PaddingTooLong) {
  std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b" + std::string(1001, ' ') + "\r\n\r\nx\r\n--b--\r\n";
  expect_error(msg, Errc::bad_delimiter, {"begin 0 multipart/mixed"});
  msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b" + std::string(999, ' ') + "\r\n\r\nx\r\n--b--\r\n";
  expect_transcript(msg, {"begin 0 multipart/mixed", "begin 1 text/plain", "data x", "end-part 1", "end-part 0", "end"});
}

TEST(MessageParser, HeaderLimits) {
  ParserLimits limits;
  limits.max_header_bytes = 20;
  expect_transcript("A: 123456789012345\r\n\r\n", {"begin 0 text/plain", "end-part 0", "end"}, limits);  // 20 bytes
  expect_error("A: 1234567890123456\r\n\r\n", Errc::header_too_large, {}, limits);
  limits = {};
  limits.max_headers = 2;
  expect_transcript("A: 1\r\nB: 2\r\n\r\n", {"begin 0 text/plain", "end-part 0", "end"}, limits);
  expect_error("A: 1\r\nB: 2\r\nC: 3\r\n\r\n", Errc::too_many_headers, {}, limits);
  // A part's header section has the same limits.
  limits = {};
  limits.max_header_bytes = 60;
  expect_error("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX: " + std::string(60, 'x') + "\r\n\r\n--b--",
               Errc::header_too_large, {"begin 0 multipart/mixed"}, limits);
}

std::string nested(int depth) {
  std::string msg;
  for (int i = 0; i < depth; ++i) {
    msg += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" + std::to_string(i) + "\r\n";
  }
  msg += "\r\nleaf\r\n";
  for (int i = depth - 1; i >= 0; --i) msg += "--b" + std::to_string(i) + "--\r\n";
  return msg;
}

TEST(MessageParser, DepthLimit) {
  ParserLimits limits;
  limits.max_depth = 3;
  Lines ok;
  for (int i = 0; i < 3; ++i) ok.push_back("begin " + std::to_string(i) + " multipart/mixed");
  ok.push_back("begin 3 text/plain");
  ok.push_back("data leaf");
  for (int i = 3; i >= 0; --i) ok.push_back("end-part " + std::to_string(i));
  ok.push_back("end");
  expect_transcript(nested(3), ok, limits);
  Lines before;
  for (int i = 0; i < 4; ++i) before.push_back("begin " + std::to_string(i) + " multipart/mixed");
  expect_error(nested(4), Errc::too_deep, before, limits);
  // The default holds up against a deep bomb without running out of stack.
  Lines deep;
  for (int i = 0; i <= 20; ++i) deep.push_back("begin " + std::to_string(i) + " multipart/mixed");
  EXPECT_EQ(test::run(nested(5000), Split{}).back(), error_line(Errc::too_deep));
}

TEST(MessageParser, PartLimit) {
  ParserLimits limits;
  limits.max_parts = 3;  // the message and two parts
  std::string two = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b--\r\n";
  expect_transcript(two, {"begin 0 multipart/mixed", "begin 1 text/plain", "data 1", "end-part 1", "begin 1 text/plain",
                          "data 2", "end-part 1", "end-part 0", "end"},
                    limits);
  std::string three = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--\r\n";
  expect_error(three, Errc::too_many_parts,
               {"begin 0 multipart/mixed", "begin 1 text/plain", "data 1", "end-part 1", "begin 1 text/plain", "data 2",
                "end-part 1"},
               limits);
}

TEST(MessageParser, MessageSizeLimit) {
  ParserLimits limits;
  limits.max_message_bytes = 10;
  expect_transcript("A: 1\r\n\r\nab", {"begin 0 text/plain", "data ab", "end-part 0", "end"}, limits);
  expect_error("A: 1\r\n\r\nabc", Errc::message_too_large, {"begin 0 text/plain", "data ab"}, limits);
  MessageParser p(limits);
  p.feed("A: 1\r\n\r\nabcde");
  EXPECT_EQ(p.next().kind, EventKind::part_begin);
  EXPECT_EQ(p.next().kind, EventKind::data);
  EXPECT_EQ(p.next().kind, EventKind::error);
  EXPECT_EQ(p.error(), Errc::message_too_large);
  p.feed("more");  // sticky
  EXPECT_EQ(p.next().kind, EventKind::error);
  p.feed_eof();
  EXPECT_EQ(p.next().kind, EventKind::error);
}

TEST(MessageParser, FeedingBeforeTakingEventsIsALogicError) {
  MessageParser p;
  p.feed("A: 1\r\n\r\nbody");
  EXPECT_THROW(p.feed("x"), std::logic_error);
}

TEST(MessageParser, RandomGarbageNeverCrashesAndAlwaysEnds) {
  // Bounded fuzzing in the unit tests: random bytes, and random mutations of a valid message.
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::string input = wire::test::random_string(seed * 7 % 512, seed);
    if (seed % 2 == 0) {
      input = kMixed;
      std::string noise = wire::test::random_string(8, seed);
      for (std::size_t k = 0; k < noise.size(); ++k) input[(static_cast<unsigned char>(noise[k]) * 13 + k * 29) % input.size()] = noise[k];
    }
    auto lines = test::run(input, Split{Split::random, seed});
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(lines.back() == "end" || lines.back().rfind("error: ", 0) == 0) << lines.back();
    EXPECT_EQ(lines, test::run(input, Split{}));  // however it is cut
  }
}

}  // namespace
}  // namespace wire::mime
