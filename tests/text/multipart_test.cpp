// SPDX-License-Identifier: MIT
// Multipart bodies: boundaries, the streaming writer (files read in pieces) and the streaming
// parser, each parser case checked whole, byte by byte and at random cuts.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "wire/text/multipart.hpp"

namespace wire::text {
namespace {

using Lines = std::vector<std::string>;

std::string read_all(Source& s, std::size_t piece = 4096) {
  std::string out;
  std::string buf(piece, '\0');
  for (int guard = 0; guard < 10'000'000; ++guard) {
    std::size_t n = s.read(std::span<char>(buf));
    if (n == 0) return out;
    out.append(buf, 0, n);
  }
  throw std::logic_error("source did not end");
}

// --- boundaries ------------------------------------------------------------------------------

TEST(Boundary, FreshOnesAreValidDistinctAndOutsideBase64AndQuotedPrintable) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string b = make_boundary();
    EXPECT_EQ(b.size(), 34u);
    EXPECT_EQ(b.substr(0, 2), "=_");
    EXPECT_TRUE(is_valid_boundary(b)) << b;
    seen.insert(b);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Boundary, Rfc2046Syntax) {
  EXPECT_TRUE(is_valid_boundary("simple boundary"));
  EXPECT_TRUE(is_valid_boundary("'()+_,-./:=?09azAZ"));
  EXPECT_TRUE(is_valid_boundary(std::string(70, 'a')));
  EXPECT_FALSE(is_valid_boundary(std::string(71, 'a')));
  EXPECT_FALSE(is_valid_boundary(""));
  EXPECT_FALSE(is_valid_boundary("ends in space "));
  EXPECT_FALSE(is_valid_boundary("semi;colon"));
  EXPECT_FALSE(is_valid_boundary("quote\""));
  EXPECT_FALSE(is_valid_boundary("line\r\nbreak"));
}

// --- sources ---------------------------------------------------------------------------------

TEST(Source, StringAndFile) {
  StringSource s("hello");
  EXPECT_EQ(s.size(), 5u);
  EXPECT_EQ(read_all(s, 2), "hello");
  EXPECT_EQ(s.read(std::span<char>()), 0u);

  wire::test::TempDir dir;
  std::string data = wire::test::random_string(100'000, 3);
  FileSource f(dir.write_file("a.bin", data));
  EXPECT_EQ(f.size(), data.size());
  EXPECT_EQ(read_all(f, 777), data);

  EXPECT_THROW(FileSource(dir / "missing"), std::system_error);
  EXPECT_THROW(FileSource(dir.path()), std::system_error);  // a directory
}

TEST(Source, FileThatShrinksIsAnError) {
  wire::test::TempDir dir;
  auto path = dir.write_file("a.bin", std::string(1000, 'x'));
  FileSource f(path);
  dir.write_file("a.bin", std::string(10, 'x'));
  char buf[64];
  EXPECT_EQ(f.read(std::span<char>(buf)), 10u);
  EXPECT_THROW(f.read(std::span<char>(buf)), std::system_error);
}

// --- the writer ------------------------------------------------------------------------------

TEST(MultipartWriter, ExactBytes) {
  MultipartWriter w("form-data", "XyZ", 0);
  w.add(Headers{{"Content-Disposition", "form-data; name=\"a\""}}, "1");
  w.add(Headers{{"Content-Disposition", "form-data; name=\"f\"; filename=\"f.txt\""}, {"Content-Type", "text/plain"}},
        std::make_unique<StringSource>("file\r\ncontent"));
  w.add(Headers{}, "");
  EXPECT_EQ(w.content_type(), "multipart/form-data; boundary=\"XyZ\"");
  const std::string expected =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"a\"\r\n"
      "\r\n"
      "1\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "file\r\ncontent\r\n"
      "--XyZ\r\n"
      "\r\n"
      "\r\n"
      "--XyZ--\r\n";
  EXPECT_EQ(w.size(), expected.size());
  EXPECT_EQ(read_all(w, 1), expected);
  EXPECT_EQ(w.read(std::span<char>()), 0u);
}

TEST(MultipartWriter, FilesAreReadInPiecesAndTheSizeIsExact) {
  wire::test::TempDir dir;
  std::string data = wire::test::random_string(300'000, 9);
  MultipartWriter w("mixed");
  w.add(Headers{{"Content-Type", "application/octet-stream"}}, std::make_unique<FileSource>(dir.write_file("big", data)));
  std::string body = read_all(w, 1000);
  EXPECT_EQ(w.size(), body.size());
  std::string b = w.boundary();
  EXPECT_EQ(body, "--" + b + "\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n--" + b + "--\r\n");
}

TEST(MultipartWriter, NestedWritersAndFolding) {
  auto inner = std::make_unique<MultipartWriter>("alternative", "in", 78);
  inner->add(Headers{{"Content-Type", "text/plain"}}, "plain");
  inner->add(Headers{{"Content-Type", "text/html"}}, "<p>html</p>");
  MultipartWriter outer("mixed", "out", 78);
  outer.add(std::move(inner));
  std::string long_value = "attachment;";
  for (int i = 0; i < 10; ++i) long_value += " p" + std::to_string(i) + "=\"" + std::string(10, 'v') + "\";";
  outer.add(Headers{{"Content-Disposition", long_value}}, "x");
  std::string body = read_all(outer, 7);
  EXPECT_EQ(outer.size(), body.size());
  EXPECT_EQ(body.substr(0, 106),
            "--out\r\nContent-Type: multipart/alternative; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\n"
            "plain\r\n--in");
  EXPECT_NE(body.find("\r\n--in--\r\n\r\n--out\r\n"), std::string::npos);
  // The long field was folded: no line over 78.
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t eol = body.find("\r\n", start);
    ASSERT_NE(eol, std::string::npos);
    EXPECT_LE(eol - start, 78u) << body.substr(start, eol - start);
    start = eol + 2;
  }
  EXPECT_THROW(outer.add(std::make_unique<MultipartWriter>("mixed"), Headers{{"content-type", "x/y"}}),
               std::invalid_argument);
}

TEST(MultipartWriter, BoundaryMayNotOccurInAPart) {
  MultipartWriter fixed("mixed", "abc", 0);
  EXPECT_THROW(fixed.add(Headers{}, "text\r\n--abc\r\nmore"), std::invalid_argument);
  EXPECT_THROW(fixed.add(Headers{{"X", "--abc"}}, "x"), std::invalid_argument);
  auto nested = std::make_unique<MultipartWriter>("mixed", "abcd", 0);  // "--abc" is a prefix of its delimiter
  nested->add(Headers{}, "x");
  EXPECT_THROW(fixed.add(std::move(nested)), std::invalid_argument);
  EXPECT_TRUE(fixed.contains("--abc"));
  EXPECT_FALSE(fixed.contains("--abd"));

  MultipartWriter random("mixed");
  random.add(Headers{}, "x");
  std::string b = random.boundary();  // fixed from here on
  EXPECT_THROW(random.add(Headers{}, "--" + b), std::invalid_argument);
  EXPECT_NO_THROW(random.add(Headers{}, "-" + b));
}

TEST(MultipartWriter, Misuse) {
  MultipartWriter empty("mixed");
  char buf[16];
  EXPECT_THROW(empty.read(std::span<char>(buf)), std::logic_error);
  MultipartWriter w("mixed", "b", 0);
  w.add(Headers{}, "x");
  EXPECT_EQ(w.read(std::span<char>(buf, 3)), 3u);
  EXPECT_THROW(w.add(Headers{}, "y"), std::logic_error);
  EXPECT_THROW(MultipartWriter("mixed", "bad;boundary", 0), std::invalid_argument);
  EXPECT_THROW(MultipartWriter("not a token"), std::invalid_argument);
  EXPECT_THROW(w.add(Headers{}, std::unique_ptr<Source>()), std::invalid_argument);
  MultipartWriter crlf("mixed");
  EXPECT_THROW(crlf.add(Headers{{"Content-Type", "text/plain\r\nBcc: x"}}, "x"), std::invalid_argument);
}

// --- the parser ------------------------------------------------------------------------------

enum class Cut { whole, bytewise, random };

std::vector<std::string_view> pieces_of(std::string_view in, Cut cut, std::uint64_t seed) {
  std::vector<std::string_view> out;
  if (cut == Cut::whole) return {in};
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < in.size();) {
    std::size_t n = cut == Cut::bytewise ? 1 : std::min<std::size_t>(rng() % 9, in.size() - i);
    out.push_back(in.substr(i, n));
    i += n;
  }
  return out;
}

Lines parse(std::string_view body, std::string_view boundary, Cut cut, std::uint64_t seed = 1,
            const MultipartLimits& limits = {}) {
  MultipartParser p(boundary, limits);
  Lines lines;
  bool stopped = false;
  auto drain = [&] {
    for (int guard = 0; guard < 1'000'000; ++guard) {
      MultipartEvent e = p.next();
      switch (e.kind) {
        case MultipartEventKind::need_more:
          return;
        case MultipartEventKind::part: {
          std::string l = "part";
          for (auto f : p.headers()) l += " {" + std::string(f.name) + ": " + std::string(f.value) + "}";
          lines.push_back(l);
          break;
        }
        case MultipartEventKind::data:
          if (e.data.empty()) throw std::logic_error("empty data");
          if (!lines.empty() && lines.back().rfind("data ", 0) == 0) lines.back() += e.data;
          else lines.push_back("data " + std::string(e.data));
          break;
        case MultipartEventKind::part_end:
          lines.push_back("part_end");
          break;
        case MultipartEventKind::end:
          lines.push_back("end");
          break;
        case MultipartEventKind::error:
          lines.push_back("error: " + p.error().message());
          stopped = true;
          return;
      }
    }
    throw std::logic_error("no end of events");
  };
  for (std::string_view piece : pieces_of(body, cut, seed)) {
    if (stopped) break;
    p.feed(piece);
    drain();
  }
  if (!stopped) {
    p.feed_eof();
    drain();
  }
  return lines;
}

void expect_parse(std::string_view body, std::string_view boundary, const Lines& expected,
                  const MultipartLimits& limits = {}) {
  EXPECT_EQ(parse(body, boundary, Cut::whole, 0, limits), expected) << "whole";
  EXPECT_EQ(parse(body, boundary, Cut::bytewise, 0, limits), expected) << "byte by byte";
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    EXPECT_EQ(parse(body, boundary, Cut::random, seed, limits), expected) << "random cuts " << seed;
  }
}

TEST(MultipartParser, PreambleTwoPartsEpilogue) {
  expect_parse("preamble\r\n--b\r\nA: 1\r\n\r\none\r\n--b\t \r\nB: 2\r\n  more\r\n\r\ntwo\r\n\r\n--b--\r\nepilogue --b\r\n",
               "b",
               {"part {A: 1}", "data one", "part_end", "part {B: 2  more}", "data two\r\n", "part_end", "end"});
}

TEST(MultipartParser, CarriageReturnsAndPrefixesOfTheDelimiterAreData) {
  expect_parse("--bnd\r\n\r\n\r\r\n-\r\n--\r\n--b\r\n--bn\r\n--bndX\r\n\r\n--bnd--", "bnd",
               {"part", "data \r\r\n-\r\n--\r\n--b\r\n--bn\r\n--bndX\r\n", "part_end", "end"});
}

TEST(MultipartParser, LfOnlyAndNoPreamble) {
  expect_parse("--b\n\nx\n--b\nC: 3\n\ny\n--b--", "b", {"part", "data x", "part_end", "part {C: 3}", "data y", "part_end", "end"});
}

TEST(MultipartParser, CloseDelimiterFirstMeansNoParts) { expect_parse("--b--\r\n", "b", {"end"}); }

TEST(MultipartParser, Errors) {
  expect_parse("no delimiter at all", "b", {"error: multipart body ended before its close delimiter"});
  expect_parse("--b\r\n\r\nbody", "b", {"part", "data body", "error: multipart body ended before its close delimiter"});
  expect_parse("--b\r\nA: 1\r\n", "b", {"error: multipart body ended before its close delimiter"});
  expect_parse("--b\r\nno colon\r\n\r\n--b--", "b", {"error: malformed header field line"});
  expect_parse("--b" + std::string(1001, ' ') + "\r\n", "b", {"error: transport padding after a multipart boundary too long"});
  MultipartLimits one;
  one.max_parts = 1;
  expect_parse("--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b--", "b",
               {"part", "data 1", "part_end", "error: too many parts in a multipart body"}, one);
  MultipartLimits small;
  small.max_header_bytes = 8;
  expect_parse("--b\r\nA: 123\r\n\r\n--b--", "b", {"part {A: 123}", "part_end", "end"}, small);
  expect_parse("--b\r\nA: 1234\r\n\r\n--b--", "b", {"error: header section too large"}, small);
  EXPECT_THROW(MultipartParser(""), std::invalid_argument);
}

TEST(MultipartParser, ErrorIsStickyAndFeedAfterEndIsIgnored) {
  MultipartParser p("b");
  p.feed("--b\r\nbad\r\n\r\n");
  EXPECT_EQ(p.next().kind, MultipartEventKind::error);
  p.feed("--b--");
  EXPECT_EQ(p.next().kind, MultipartEventKind::error);
  EXPECT_EQ(p.error(), FieldErrc::bad_field_line);

  MultipartParser q("b");
  q.feed("--b--\r\n");
  EXPECT_EQ(q.next().kind, MultipartEventKind::end);
  q.feed("epilogue");
  EXPECT_EQ(q.next().kind, MultipartEventKind::need_more);
  q.feed_eof();
  EXPECT_EQ(q.next().kind, MultipartEventKind::need_more);
  EXPECT_FALSE(q.error());
}

TEST(MultipartParser, ReadsWhatTheWriterWrites) {
  // Random binary bodies (with CR, LF and dashes) through the writer and back, cut at random.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    MultipartWriter w("mixed");
    std::vector<std::string> bodies;
    for (int i = 0; i < 3; ++i) {
      std::string body = wire::test::random_string(seed * 100 + static_cast<std::size_t>(i) * 37, seed * 3 + static_cast<std::uint64_t>(i));
      for (std::size_t k = 0; k + 2 < body.size(); k += 17) body.replace(k, 3, k % 2 ? "\r\n-" : "\n--");
      bodies.push_back(body);
      w.add(Headers{{"N", std::to_string(i)}}, std::make_unique<StringSource>(body));
    }
    std::string wire_bytes = read_all(w, 100);
    Lines expected;
    for (int i = 0; i < 3; ++i) {
      expected.push_back("part {N: " + std::to_string(i) + "}");
      expected.push_back("data " + bodies[static_cast<std::size_t>(i)]);
      expected.push_back("part_end");
    }
    expected.push_back("end");
    EXPECT_EQ(parse(wire_bytes, w.boundary(), Cut::random, seed), expected) << seed;
  }
}

}  // namespace
}  // namespace wire::text
