// SPDX-License-Identifier: MIT
// ResponseParser: transcripts, each checked whole, byte by byte and cut at random points.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/random.hpp"
#include "transcript.hpp"
#include "wire/http/parser.hpp"

namespace wire::http {
namespace {

using test::all_splits;
using test::error_line;
using test::run_responses;
using test::Split;
using Lines = std::vector<std::string>;

// The same transcript however the bytes arrive. `methods` are the requests' methods, in order.
void expect_responses(std::string_view input, const Lines& expected, bool eof = false,
                      std::vector<std::string> methods = {}, const ParserLimits& limits = {}) {
  for (Split split : all_splits()) {
    SCOPED_TRACE(split.kind == Split::random ? "random seed " + std::to_string(split.seed)
                                             : split.kind == Split::whole ? "whole" : "byte by byte");
    EXPECT_EQ(run_responses(input, split, eof, limits, methods).lines, expected);
  }
}

void expect_response_error(std::string_view input, Errc code, Lines before = {}) {
  before.push_back(error_line(code));
  expect_responses(input, before);
}

TEST(ResponseParser, ContentLength) {
  expect_responses("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
                   {"head HTTP/1.1 200 OK {Content-Type: text/plain} {Content-Length: 5}", "data hello", "end"});
  ResponseParser p;
  p.feed("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(p.next().kind, EventKind::head);
  EXPECT_EQ(p.response().status, 404);
  EXPECT_EQ(p.response().reason, "Not Found");
  EXPECT_EQ(p.response().version, (Version{1, 0}));
  EXPECT_EQ(p.framing(), BodyFraming::none);
  EXPECT_FALSE(p.keep_alive());  // HTTP/1.0 without keep-alive
  EXPECT_EQ(p.next().kind, EventKind::end);
}

TEST(ResponseParser, StatusLineVariants) {
  // RFC 9112 §4: the reason phrase may be empty, or contain spaces, tabs and obs-text.
  expect_responses("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", {"head HTTP/1.1 200  {Content-Length: 0}", "end"});
  expect_responses("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", {"head HTTP/1.1 200  {Content-Length: 0}", "end"});
  expect_responses("HTTP/1.1 299 Very  Fine\tIndeed \xe2\x9c\x93\r\nContent-Length: 0\r\n\r\n",
                   {"head HTTP/1.1 299 Very  Fine\tIndeed \xe2\x9c\x93 {Content-Length: 0}", "end"});
}

TEST(ResponseParser, BadStatusLines) {
  expect_response_error("HTTP/1.1 20 OK\r\n\r\n", Errc::bad_status_line);
  expect_response_error("HTTP/1.1 2000 OK\r\n\r\n", Errc::bad_status_line);
  expect_response_error("HTTP/1.1 099 Low\r\n\r\n", Errc::bad_status_line);
  expect_response_error("HTTP/1.1  200 OK\r\n\r\n", Errc::bad_status_line);
  expect_response_error("HTTP/1.1 200 O\x01K\r\n\r\n", Errc::bad_status_line);
  expect_response_error("HTTP/1.1 abc OK\r\n\r\n", Errc::bad_status_line);
  expect_response_error("ICY 200 OK\r\n\r\n", Errc::bad_status_line);
  expect_response_error("HTTP/2 200\r\n\r\n", Errc::bad_version);
  expect_response_error("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", Errc::bad_version);
  expect_response_error("HTTP/3.0 200 OK\r\nContent-Length: 0\r\n\r\n", Errc::bad_version);
  expect_response_error("HTTP/1.1 200 OK\n\r\n", Errc::bad_line_ending);
  expect_response_error("HTTP/1.1 200 OK\r\r\n", Errc::bad_line_ending);
  expect_response_error("<html>hello</html>", Errc::bad_status_line);
}

TEST(ResponseParser, Chunked) {
  expect_responses(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "7\r\nchunked\r\n1;ext=1\r\n \r\n8\r\nresponse\r\n0\r\nServer-Timing: db;dur=53\r\n\r\n",
      {"head HTTP/1.1 200 OK {Transfer-Encoding: chunked}", "data chunked response",
       "end trailers {Server-Timing: db;dur=53}"});
}

TEST(ResponseParser, UntilEof) {
  // RFC 9112 §6.3 (8): no Content-Length, not chunked: the body ends when the server closes.
  expect_responses("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this\r\nis body",
                   {"head HTTP/1.1 200 OK {Content-Type: text/plain}", "data all of this\r\nis body", "end"}, true);
  ResponseParser p;
  std::string in = "HTTP/1.1 200 OK\r\n\r\nabc";
  std::size_t n = p.feed(in);
  ASSERT_EQ(p.next().kind, EventKind::head);
  EXPECT_EQ(p.framing(), BodyFraming::until_eof);
  EXPECT_FALSE(p.keep_alive());
  EXPECT_EQ(p.next().kind, EventKind::need_more);
  EXPECT_EQ(p.feed(std::string_view(in).substr(n)), 3u);
  EXPECT_EQ(p.next().data, "abc");
  EXPECT_EQ(p.next().kind, EventKind::need_more);  // until the close
  p.feed_eof();
  EXPECT_EQ(p.next().kind, EventKind::end);
  EXPECT_EQ(p.next().kind, EventKind::need_more);
  EXPECT_FALSE(p.error());
}

TEST(ResponseParser, TransferCodingNotEndingInChunked) {
  // RFC 9112 §6.3 (4): in a response, read until the connection closes.
  expect_responses("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b...",
                   {"head HTTP/1.1 200 OK {Transfer-Encoding: gzip}", "data \x1f\x8b...", "end"}, true);
}

TEST(ResponseParser, Truncation) {
  expect_responses("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
                   {"head HTTP/1.1 200 OK {Content-Length: 10}", "data hello", error_line(Errc::truncated_body)}, true);
  expect_responses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                   {"head HTTP/1.1 200 OK {Transfer-Encoding: chunked}", "data hel", error_line(Errc::truncated_body)},
                   true);
  expect_responses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                   {"head HTTP/1.1 200 OK {Transfer-Encoding: chunked}", "data hello", error_line(Errc::truncated_body)},
                   true);
  expect_responses("HTTP/1.1 200 OK\r\nContent-Le", {error_line(Errc::truncated_head)}, true);
  expect_responses("HTTP/1.", {error_line(Errc::truncated_head)}, true);
  // Nothing at all: a clean close, which the client reads as "no response".
  expect_responses("", {}, true);
}

TEST(ResponseParser, HeadResponseHasNoBody) {
  // RFC 9112 §6.3 (1): the Content-Length of a response to HEAD describes the GET response.
  expect_responses(
      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
      {"head HTTP/1.1 200 OK {Content-Length: 1000}", "end", "head HTTP/1.1 200 OK {Content-Length: 2}", "data hi",
       "end"},
      false, {"HEAD", "GET"});
  ResponseParser p;
  p.expect_response_to("HEAD");
  p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(p.next().kind, EventKind::head);
  EXPECT_EQ(p.framing(), BodyFraming::none);
  EXPECT_TRUE(p.keep_alive());
  EXPECT_EQ(p.next().kind, EventKind::end);
}

TEST(ResponseParser, HeadExpectationEndsWithTheResponse) {
  // After the response to HEAD, the parser assumes GET again.
  ResponseParser p;
  p.expect_response_to("HEAD");
  std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  std::size_t n = p.feed(in);
  EXPECT_EQ(p.next().kind, EventKind::head);
  EXPECT_EQ(p.next().kind, EventKind::end);
  EXPECT_EQ(p.next().kind, EventKind::need_more);
  p.feed(std::string_view(in).substr(n));
  EXPECT_EQ(p.next().kind, EventKind::head);
  EXPECT_EQ(p.framing(), BodyFraming::content_length);
}

TEST(ResponseParser, NoContentAndNotModified) {
  expect_responses(
      "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      {"head HTTP/1.1 204 No Content {Content-Length: 5}", "end",
       "head HTTP/1.1 304 Not Modified {Transfer-Encoding: chunked}", "end", "head HTTP/1.1 200 OK {Content-Length: 2}",
       "data ok", "end"});
}

TEST(ResponseParser, BodilessResponsesWithoutLengthKeepTheConnection) {
  // Neither Content-Length nor chunked, yet no body and no close: HEAD, 204, 304.
  expect_responses(
      "HTTP/1.1 200 OK\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
      {"head HTTP/1.1 200 OK", "end", "head HTTP/1.1 204 No Content", "end",
       "head HTTP/1.1 304 Not Modified {ETag: \"x\"}", "end", "head HTTP/1.1 200 OK {Content-Length: 1}", "data x",
       "end"},
      false, {"HEAD", "GET", "GET", "GET"});
  ResponseParser p;
  p.expect_response_to("HEAD");
  p.feed("HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_EQ(p.next().kind, EventKind::head);
  EXPECT_TRUE(p.keep_alive());
  EXPECT_EQ(p.framing(), BodyFraming::none);
  EXPECT_EQ(p.next().kind, EventKind::end);
}

TEST(ResponseParser, InterimResponses) {
  expect_responses(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
      {"head HTTP/1.1 100 Continue", "end", "head HTTP/1.1 103 Early Hints {Link: </style.css>; rel=preload}", "end",
       "head HTTP/1.1 201 Created {Content-Length: 2}", "data ok", "end"});
}

TEST(ResponseParser, InterimResponsesShareTheRequestMethod) {
  // A 100 Continue before the response to a HEAD: the final response still has no body.
  expect_responses("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
                   {"head HTTP/1.1 100 Continue", "end", "head HTTP/1.1 200 OK {Content-Length: 9}", "end"}, false,
                   {"HEAD"});
}

TEST(ResponseParser, InterimLimit) {
  for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{10}}) {
    SCOPED_TRACE(limit);
    ParserLimits limits;
    limits.max_interim_responses = limit;
    std::string interim;
    Lines expected;
    for (std::size_t i = 0; i < limit; ++i) {
      interim += "HTTP/1.1 102 Processing\r\n\r\n";
      expected.push_back("head HTTP/1.1 102 Processing");
      expected.push_back("end");
    }
    std::string final_response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    Lines ok = expected;
    ok.push_back("head HTTP/1.1 200 OK {Content-Length: 0}");
    ok.push_back("end");
    expect_responses(interim + final_response, ok, false, {}, limits);
    Lines over = expected;
    over.push_back(error_line(Errc::too_many_interim_responses));
    expect_responses(interim + "HTTP/1.1 102 Processing\r\n\r\n" + final_response, over, false, {}, limits);
    // The count starts again after each final response.
    Lines twice = ok;
    twice.insert(twice.end(), ok.begin(), ok.end());
    expect_responses(interim + final_response + interim + final_response, twice, false, {}, limits);
  }
  EXPECT_EQ(ResponseParser().limits().max_interim_responses, 10u);
}

TEST(ResponseParser, SwitchingProtocols) {
  for (Split split : all_splits()) {
    auto run = run_responses(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi", split,
        false, {}, {"GET"});
    EXPECT_EQ(run.lines, (Lines{"head HTTP/1.1 101 Switching Protocols {Upgrade: websocket} {Connection: Upgrade}",
                                "end", "upgrade"}));
    EXPECT_EQ(run.rest, "\x81\x02hi");
  }
}

TEST(ResponseParser, ConnectTunnel) {
  // RFC 9110 §9.3.6: a 2xx to CONNECT has no body; the tunnel starts after its head.
  for (Split split : all_splits()) {
    auto run = run_responses("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03", split, false, {},
                             {"CONNECT"});
    EXPECT_EQ(run.lines, (Lines{"head HTTP/1.1 200 Connection established", "end", "upgrade"}));
    EXPECT_EQ(run.rest, "\x16\x03\x03");
  }
  // A refused CONNECT is an ordinary response.
  expect_responses("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny",
                   {"head HTTP/1.1 407 Proxy Authentication Required {Content-Length: 4}", "data deny", "end"}, false,
                   {"CONNECT"});
}

TEST(ResponseParser, Pipelined) {
  std::string one = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none";
  std::string two = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n";
  std::string three = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  expect_responses(one + two + three,
                   {"head HTTP/1.1 200 OK {Content-Length: 3}", "data one", "end",
                    "head HTTP/1.1 200 OK {Transfer-Encoding: chunked}", "data two", "end",
                    "head HTTP/1.1 404 Not Found {Content-Length: 0}", "end"});
}

TEST(ResponseSmuggling, ContentLengthWithTransferEncoding) {
  // RFC 9112 §6.3 (3): Transfer-Encoding would override, but such a message "ought to be
  // handled as an error": a response splitting attempt, or a broken server.
  expect_response_error("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        Errc::content_length_with_transfer_encoding);
}

TEST(ResponseSmuggling, Framing) {
  expect_response_error("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                        Errc::conflicting_content_length);
  expect_response_error("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", Errc::bad_content_length);
  expect_response_error("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Errc::bad_transfer_encoding);
  expect_response_error("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", Errc::obsolete_line_folding);
  expect_response_error("HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabc", Errc::bad_header_name);
  expect_response_error("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\r\n\r\n", Errc::bad_line_ending);
  expect_response_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
                        Errc::bad_chunk, {"head HTTP/1.1 200 OK {Transfer-Encoding: chunked}"});
  // A body longer than Content-Length is the start of a next response that is not one.
  expect_response_error("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi there",
                        Errc::bad_status_line, {"head HTTP/1.1 200 OK {Content-Length: 2}", "data hi", "end"});
}

TEST(ResponseSmuggling, DataAfterConnectionClose) {
  expect_response_error("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n",
                        Errc::data_after_close,
                        {"head HTTP/1.1 200 OK {Connection: close} {Content-Length: 1}", "data x", "end"});
}

TEST(ResponseLimits, StatusLine) {
  ParserLimits limits;
  limits.max_start_line = 40;
  std::string prefix = "HTTP/1.1 200 ";
  std::string at = prefix + std::string(40 - prefix.size(), 'r');
  expect_responses(at + "\r\nContent-Length: 0\r\n\r\n", {"head HTTP/1.1 200 " + at.substr(13) + " {Content-Length: 0}", "end"},
                   false, {}, limits);
  expect_responses(at + "r\r\nContent-Length: 0\r\n\r\n", {error_line(Errc::start_line_too_long)}, false, {}, limits);
  // A status line that never ends.
  ResponseParser p(limits);
  std::size_t n = p.feed(prefix + std::string(100000, 'r'));
  EXPECT_LE(n, 42u);
  EXPECT_EQ(p.next().kind, EventKind::error);
  EXPECT_EQ(p.error(), Errc::start_line_too_long);
}

TEST(ResponseLimits, Headers) {
  ParserLimits limits;
  limits.max_header_bytes = 50;
  limits.max_header_count = 3;
  std::string at_bytes = "X-A: " + std::string(43, 'a') + "\r\n";  // 50 bytes
  ASSERT_EQ(at_bytes.size(), 50u);
  expect_responses("HTTP/1.1 204 No Content\r\n" + at_bytes + "\r\n",
                   {"head HTTP/1.1 204 No Content {X-A: " + std::string(43, 'a') + "}", "end"}, false, {}, limits);
  expect_responses("HTTP/1.1 204 No Content\r\nX-A: " + std::string(44, 'a') + "\r\n\r\n",
                   {error_line(Errc::header_too_large)}, false, {}, limits);
  expect_responses("HTTP/1.1 204 No Content\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
                   {"head HTTP/1.1 204 No Content {A: 1} {B: 2} {C: 3}", "end"}, false, {}, limits);
  expect_responses("HTTP/1.1 204 No Content\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
                   {error_line(Errc::too_many_headers)}, false, {}, limits);
  // A hostile server sending 1 MiB of headers is stopped at the limit.
  ResponseParser p;
  std::string flood = "HTTP/1.1 200 OK\r\n";
  while (flood.size() < (1u << 20)) flood += "X-Flood: " + std::string(50, 'f') + "\r\n";
  p.set_max_header_count(1'000'000);
  std::size_t n = p.feed(flood);
  EXPECT_LE(n, 17u + 64u * 1024u + 2u);
  EXPECT_EQ(p.next().kind, EventKind::error);
  EXPECT_EQ(p.error(), Errc::header_too_large);
}

TEST(ResponseParser, Garbage) {
  for (std::uint64_t seed = 100; seed < 164; ++seed) {
    std::string garbage = wire::test::random_string(200, seed);
    Lines reference = run_responses(garbage, {Split::whole, 0}).lines;
    ASSERT_FALSE(reference.empty());
    EXPECT_EQ(reference.back().rfind("error: ", 0), 0u);
    for (Split split : all_splits(2)) EXPECT_EQ(run_responses(garbage, split).lines, reference);
  }
}

TEST(ResponseParser, GarbageAfterAValidHead) {
  // Random bytes as a chunked body: whatever happens, it happens the same way however the
  // bytes arrive.
  for (std::uint64_t seed = 200; seed < 232; ++seed) {
    std::string input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + wire::test::random_string(300, seed);
    Lines reference = run_responses(input, {Split::whole, 0}, true).lines;
    for (Split split : all_splits(3)) EXPECT_EQ(run_responses(input, split, true).lines, reference);
  }
}

}  // namespace
}  // namespace wire::http
