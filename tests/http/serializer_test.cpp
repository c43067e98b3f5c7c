// SPDX-License-Identifier: MIT
#include "wire/http/serializer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/random.hpp"
#include "wire/http/error.hpp"
#include "wire/http/parser.hpp"

namespace wire::http {
namespace {

TEST(Serializer, RequestHead) {
  Request req{"GET", "/index.html?q=1", {{"Host", "example.com"}, {"Accept", "*/*"}}};
  EXPECT_EQ(encode_head(req), "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
  req.version = {1, 0};
  req.headers.clear();
  EXPECT_EQ(encode_head(req), "GET /index.html?q=1 HTTP/1.0\r\n\r\n");
  // Appends.
  std::string out = "previous";
  encode_head(Request{"OPTIONS", "*"}, out);
  EXPECT_EQ(out, "previousOPTIONS * HTTP/1.1\r\n\r\n");
}

TEST(Serializer, ResponseHead) {
  EXPECT_EQ(encode_head(Response{200, "", {{"Content-Length", "5"}}}), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(encode_head(Response{404}), "HTTP/1.1 404 Not Found\r\n\r\n");
  EXPECT_EQ(encode_head(Response{299}), "HTTP/1.1 299 \r\n\r\n");  // no standard phrase
  EXPECT_EQ(encode_head(Response{200, "Fine\tThanks"}), "HTTP/1.1 200 Fine\tThanks\r\n\r\n");
  Response old{101};
  old.version = {1, 0};
  EXPECT_EQ(encode_head(old), "HTTP/1.0 101 Switching Protocols\r\n\r\n");
}

TEST(Serializer, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(599), "");
}

// Each refused message leaves `out` exactly as it was: nothing was produced.
void expect_refused(const Request& req, Errc code) {
  EXPECT_EQ(check(req), code);
  std::string out = "untouched";
  try {
    encode_head(req, out);
    ADD_FAILURE() << "encoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\r'), std::string::npos) << e.what();
  }
  EXPECT_EQ(out, "untouched");
  std::error_code ec;
  encode_head(req, out, ec);
  EXPECT_EQ(ec, code);
  EXPECT_EQ(out, "untouched");
}

void expect_refused(const Response& res, Errc code) {
  EXPECT_EQ(check(res), code);
  std::string out = "untouched";
  EXPECT_THROW(encode_head(res, out), Error);
  EXPECT_EQ(out, "untouched");
  std::error_code ec;
  encode_head(res, out, ec);
  EXPECT_EQ(ec, code);
  EXPECT_EQ(out, "untouched");
}

TEST(SerializerRefuses, Methods) {
  for (const std::string& method : std::vector<std::string>{"", "GET /evil HTTP/1.1\r\nX:", "GE T", "GET\r", "GET\n", std::string("GET\0", 4), "G(T",
                             "G\xc3\xa9T"}) {
    SCOPED_TRACE(method);
    expect_refused(Request{method, "/"}, Errc::bad_method);
  }
}

TEST(SerializerRefuses, Targets) {
  for (const std::string& target : std::vector<std::string>{"", "/a b", "/a\r\nHost: evil", "/a\rb", "/a\nb", std::string("/a\0b", 4), "/a\tb",
                             "/caf\xc3\xa9", "/\x7f"}) {
    SCOPED_TRACE(target);
    expect_refused(Request{"GET", target}, Errc::bad_target);
  }
}

TEST(SerializerRefuses, HeaderNames) {
  for (const std::string& name : std::vector<std::string>{"", "X Name", "X:Name", "X\r\nInjected", "X\n", std::string("X\0", 2), "X\t", "Caf\xc3\xa9"}) {
    SCOPED_TRACE(name);
    expect_refused(Request{"GET", "/", {{"Host", "a"}, {name, "v"}}}, Errc::bad_header_name);
    expect_refused(Response{200, "", {{name, "v"}}}, Errc::bad_header_name);
  }
}

TEST(SerializerRefuses, HeaderValues) {
  for (const std::string& value : std::vector<std::string>{"a\r\nSet-Cookie: evil=1", "a\rb", "a\nb", std::string("a\0b", 3), "a\x01" "b", "a\x7f",
                            " leading", "trailing ", "\t"}) {
    SCOPED_TRACE(value);
    expect_refused(Request{"GET", "/", {{"Host", "a"}, {"X-Value", value}}}, Errc::bad_header_value);
    expect_refused(Response{200, "", {{"X-Value", value}}}, Errc::bad_header_value);
  }
  try {
    encode_head(Request{"GET", "/", {{"X-Injected", "a\r\nb"}}});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"X-Injected\""), std::string::npos) << e.what();
  }
}

TEST(SerializerRefuses, StatusAndReason) {
  expect_refused(Response{99}, Errc::bad_status_line);
  expect_refused(Response{1000}, Errc::bad_status_line);
  expect_refused(Response{200, "OK\r\nSet-Cookie: evil=1"}, Errc::bad_status_line);
  expect_refused(Response{200, std::string("O\0K", 3)}, Errc::bad_status_line);
}

TEST(SerializerRefuses, Versions) {
  Request req{"GET", "/"};
  req.version = {2, 0};
  expect_refused(req, Errc::bad_version);
  Response res{200};
  res.version = {1, 2};
  expect_refused(res, Errc::bad_version);
}

TEST(SerializerRefuses, AmbiguousFraming) {
  expect_refused(Request{"POST", "/", {{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}},
                 Errc::content_length_with_transfer_encoding);
  expect_refused(Request{"POST", "/", {{"Content-Length", "5"}, {"content-length", "5"}}},
                 Errc::conflicting_content_length);
  expect_refused(Request{"POST", "/", {{"Content-Length", "-1"}}}, Errc::bad_content_length);
  expect_refused(Request{"POST", "/", {{"Content-Length", "5, 5"}}}, Errc::bad_content_length);
  expect_refused(Response{200, "", {{"Content-Length", "abc"}}}, Errc::bad_content_length);
}

TEST(Serializer, Chunks) {
  std::string out;
  encode_chunk("hello", out);
  EXPECT_EQ(out, "5\r\nhello\r\n");
  encode_chunk("", out);  // nothing: a zero-size chunk would end the body
  EXPECT_EQ(out, "5\r\nhello\r\n");
  encode_chunk(std::string(255, 'x'), out);
  EXPECT_EQ(out.substr(10, 4), "ff\r\n");
  out.clear();
  encode_chunk_header(0x1a2b, out);
  EXPECT_EQ(out, "1a2b\r\n");
  out.clear();
  encode_last_chunk(out);
  EXPECT_EQ(out, "0\r\n\r\n");
  out.clear();
  encode_last_chunk(out, {{"Expires", "never"}, {"X-Sum", "42"}});
  EXPECT_EQ(out, "0\r\nExpires: never\r\nX-Sum: 42\r\n\r\n");
}

TEST(Serializer, BadTrailersProduceNothing) {
  std::string out = "5\r\nhello\r\n";
  EXPECT_THROW(encode_last_chunk(out, {{"X", "a\r\nInjected: 1"}}), Error);
  EXPECT_THROW(encode_last_chunk(out, {{"X Y", "1"}}), Error);
  EXPECT_EQ(out, "5\r\nhello\r\n");
}

// What the serializer writes, the parser reads back the same.
TEST(Serializer, RoundTripThroughTheParsers) {
  std::string body = wire::test::random_string(100000, 7);
  Request req{"PUT", "/upload/file.bin?v=2", {{"Host", "example.com:8080"}, {"Transfer-Encoding", "chunked"},
                                              {"X-Empty", ""}, {"X-Spaced", "a \t b"}}};
  std::string wire_bytes = encode_head(req);
  for (std::size_t i = 0; i < body.size(); i += 7777) encode_chunk(std::string_view(body).substr(i, 7777), wire_bytes);
  encode_last_chunk(wire_bytes, {{"X-Checksum", "abc"}});

  RequestParser p;
  std::string_view rest = wire_bytes;
  std::string got;
  bool ended = false;
  for (int guard = 0; guard < 10000 && !rest.empty(); ++guard) {
    std::size_t n = p.feed(rest);
    for (Event ev = p.next(); ev.kind != EventKind::need_more; ev = p.next()) {
      ASSERT_NE(ev.kind, EventKind::error) << p.error().message();
      if (ev.kind == EventKind::head) {
        EXPECT_EQ(p.request().method, req.method);
        EXPECT_EQ(p.request().target, req.target);
        EXPECT_EQ(p.request().headers, req.headers);
      }
      if (ev.kind == EventKind::data) got += ev.data;
      if (ev.kind == EventKind::end) ended = true;
    }
    rest.remove_prefix(n);
  }
  EXPECT_TRUE(ended);
  EXPECT_TRUE(got == body);
  EXPECT_EQ(p.trailers(), (Headers{{"X-Checksum", "abc"}}));

  Response res{206, "", {{"Content-Length", "3"}, {"Content-Range", "bytes 0-2/10"}}};
  ResponseParser rp;
  std::string bytes = encode_head(res) + "abc";
  std::size_t n = rp.feed(bytes);
  EXPECT_EQ(rp.next().kind, EventKind::head);
  EXPECT_EQ(rp.response().status, 206);
  EXPECT_EQ(rp.response().reason, "Partial Content");
  EXPECT_EQ(rp.response().headers, res.headers);
  rp.feed(std::string_view(bytes).substr(n));
  EXPECT_EQ(rp.next().data, "abc");
  EXPECT_EQ(rp.next().kind, EventKind::end);
}

}  // namespace
}  // namespace wire::http
