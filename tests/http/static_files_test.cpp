// SPDX-License-Identifier: MIT
// wire::http::StaticRoot through Router::files, on a directory the test writes: index files,
// the redirect of a directory's URL to its slash form, listings (names escaped and
// percent-encoded), MIME types, conditional requests (ETag, If-None-Match, If-Modified-Since:
// 304), byte ranges (206, 416, If-Range), empty files, HEAD; and the root as a boundary: no
// ".." in any encoding, no symbolic link out, no FIFO, and a file beside the root never read.
// A 256 MiB file of pseudo-random bytes arrives whole (SHA-256).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "client_helpers.hpp"
#include "server_helpers.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "wire/http/server.hpp"

namespace {

namespace http = wire::http;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using http::Router;
using http::StaticOptions;
using wire::test::TempDir;
using wire::test::http::End;
using wire::test::http::error_body;
using wire::test::http::get;
using wire::test::http::is_response;
using wire::test::http::RawClient;
using wire::test::http::RawResponse;
using wire::test::http::Sha256;
using wire::test::http::Tail;
using wire::test::http::TestServer;

constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";  // 36 bytes
constexpr std::string_view kOdd = "<b>&\"'.txt";
// 2020-01-01T00:00:00Z, the mtime of every file the tests compare dates against.
constexpr std::time_t kMtime = 1577836800;
constexpr std::string_view kMtimeText = "Wed, 01 Jan 2020 00:00:00 GMT";

void set_mtime(const fs::path& p, std::time_t t) {
  timespec times[2] = {{t, 0}, {t, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << p;
}

// The tree served (root/) and what lies beside it (outside/, secret.txt).
class HttpStaticFiles : public testing::Test {
 protected:
  void SetUp() override {
    secret = "TOP-SECRET-" + std::to_string(::getpid()) + "-do-not-serve";
    fs::create_directories(dir / "root");
    fs::create_directories(dir / "outside");
    write("secret.txt", secret);
    write("outside/secret.txt", secret);
    write("root/index.html", "<h1>home</h1>\n");
    write("root/digits.txt", kDigits);
    write("root/empty.txt", "");
    write("root/style.css", "body{}");
    write("root/app.js", "1;");
    write("root/data.json", "{}");
    write("root/image.png", "\x89PNG");
    write("root/blob.bin", "bin");
    write("root/noext", "none");
    write("root/PAGE.HTML", "<p>upper</p>");
    fs::create_directories(dir / "root/sub");
    write("root/sub/a.txt", "a in sub");
    fs::create_directories(dir / "root/listing/d");
    write("root/listing/" + std::string(kOdd), "odd");
    write("root/listing/plain.txt", "plain");
    fs::create_directories(dir / "root/withindex");
    write("root/withindex/index.html", "sub index");
    // Links: out by a relative path, out by an absolute one, a directory out, and one in.
    fs::create_symlink("../secret.txt", dir / "root/escape");
    fs::create_symlink(dir / "secret.txt", dir / "root/escape_abs");
    fs::create_symlink("../outside", dir / "root/outdir");
    fs::create_symlink("digits.txt", dir / "root/inside");
    fs::create_symlink("sub", dir / "root/sublink");
    ASSERT_EQ(::mkfifo((dir / "root/fifo").c_str(), 0600), 0);
    set_mtime(dir / "root/digits.txt", kMtime);
  }

  void write(const std::string& name, std::string_view contents) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    ASSERT_TRUE(out.good()) << name;
  }

  fs::path root() const { return dir / "root"; }

  Router files(StaticOptions options = {}) {
    Router r;
    r.files("/static", root(), options);
    r.files("/", root(), options);
    return r;
  }

  // Asserts that no byte of the secret file ever went out.
  void expect_no_secret(const RawResponse& res) {
    EXPECT_EQ(res.raw.find(secret), std::string::npos) << "the file outside the root was served";
    EXPECT_EQ(res.raw.find("TOP-SECRET"), std::string::npos);
  }

  TempDir dir{"wire-static-"};
  std::string secret;
};

TEST_F(HttpStaticFiles, IndexIsServedForTheRoot) {
  TestServer server(files());
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "<h1>home</h1>\n");
  EXPECT_EQ(res.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(c.roundtrip(get("/index.html")).body, "<h1>home</h1>\n");
  EXPECT_EQ(c.roundtrip(get("/withindex/")).body, "sub index");
  EXPECT_EQ(c.roundtrip(get("/static/")).body, "<h1>home</h1>\n");
  EXPECT_EQ(c.roundtrip(get("/static/digits.txt")).body, kDigits);
  EXPECT_EQ(c.roundtrip(get("/sub/a.txt")).body, "a in sub");
  EXPECT_EQ(c.roundtrip(get("/sub//./a.txt")).body, "a in sub");
  RawResponse missing = c.roundtrip(get("/nothing.txt"));
  ASSERT_TRUE(is_response(missing, 404));
  EXPECT_EQ(missing.body, error_body(404));
  EXPECT_EQ(c.roundtrip(get("/digits.txt/x")).status, 404);  // a file is no directory
}

TEST_F(HttpStaticFiles, DirectoryWithoutSlashRedirects) {
  TestServer server(files());
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/sub"));
  ASSERT_TRUE(is_response(res, 301));
  EXPECT_EQ(res.header("Location"), "/sub/");
  EXPECT_EQ(res.body, error_body(301));
  res = c.roundtrip(get("/sub?x=1&y=a%20b"));
  ASSERT_TRUE(is_response(res, 301));
  EXPECT_EQ(res.header("Location"), "/sub/?x=1&y=a%20b");
  res = c.roundtrip(get("/static/withindex"));
  ASSERT_TRUE(is_response(res, 301));
  EXPECT_EQ(res.header("Location"), "/static/withindex/");
  res = c.roundtrip(get("/static"));
  ASSERT_TRUE(is_response(res, 301));
  EXPECT_EQ(res.header("Location"), "/static/");
}

// "//sub" names the directory sub; its redirect must not be the protocol-relative URL
// "//sub/", which a browser reads as the host "sub" (an open redirect, as in Python's
// http.server, CVE-2021-28861).
TEST_F(HttpStaticFiles, DirectoryRedirectIsNeverProtocolRelative) {
  TestServer server(files());
  RawClient c(server.port());
  for (const char* target : {"//sub", "///sub", "//sub?x=1"}) {
    RawResponse res = c.roundtrip(get(target));
    ASSERT_TRUE(is_response(res, 301)) << target;
    auto location = res.header("Location").value_or("");
    EXPECT_EQ(location.rfind("//", 0), std::string::npos) << target << " -> Location: " << location;
    EXPECT_EQ(location.find('\\'), std::string::npos) << target << " -> Location: " << location;
  }
}

TEST_F(HttpStaticFiles, ListingEscapesNames) {
  TestServer server(files());
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/listing/"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.header("Content-Type"), "text/html; charset=utf-8");
  const std::string& b = res.body;
  EXPECT_NE(b.find("<title>Index of /listing/</title>"), std::string::npos) << b;
  EXPECT_NE(b.find("<li><a href=\"../\">../</a></li>"), std::string::npos) << b;
  EXPECT_NE(b.find("<li><a href=\"%3Cb%3E%26%22%27.txt\">&lt;b&gt;&amp;&quot;&#39;.txt</a></li>"), std::string::npos)
      << b;
  EXPECT_NE(b.find("<li><a href=\"d/\">d/</a></li>"), std::string::npos) << b;
  EXPECT_NE(b.find("<li><a href=\"plain.txt\">plain.txt</a></li>"), std::string::npos) << b;
  EXPECT_EQ(b.find("<b>"), std::string::npos) << "a name reached the page unescaped";
  // The escaped link leads to the file.
  EXPECT_EQ(c.roundtrip(get("/listing/%3Cb%3E%26%22%27.txt")).body, "odd");
  // The root's listing (sub has no index) has no "../" and lists links and the FIFO by name.
  res = c.roundtrip(get("/sub/"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_NE(res.body.find("<a href=\"a.txt\">a.txt</a>"), std::string::npos) << res.body;
  // A title from an encoded path is decoded, then escaped.
  fs::create_directories(root() / "x<y");
  res = c.roundtrip(get("/x%3Cy/"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_NE(res.body.find("<title>Index of /x&lt;y/</title>"), std::string::npos) << res.body;
}

TEST_F(HttpStaticFiles, ListingOffIs404) {
  StaticOptions o;
  o.list_directories = false;
  TestServer server(files(o));
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/listing/"));
  ASSERT_TRUE(is_response(res, 404));
  EXPECT_EQ(res.body, error_body(404));
  EXPECT_EQ(c.roundtrip(get("/")).body, "<h1>home</h1>\n");  // an index is still served
  EXPECT_EQ(c.roundtrip(get("/listing/plain.txt")).body, "plain");
}

TEST_F(HttpStaticFiles, MimeTypesByExtension) {
  StaticOptions o;
  o.cache_control = "max-age=60";
  TestServer server(files(o));
  RawClient c(server.port());
  const std::pair<const char*, const char*> cases[] = {
      {"/style.css", "text/css; charset=utf-8"},
      {"/app.js", "text/javascript; charset=utf-8"},
      {"/data.json", "application/json"},
      {"/image.png", "image/png"},
      {"/digits.txt", "text/plain; charset=utf-8"},
      {"/index.html", "text/html; charset=utf-8"},
      {"/PAGE.HTML", "text/html; charset=utf-8"},
      {"/blob.bin", "application/octet-stream"},
      {"/noext", "application/octet-stream"},
  };
  for (auto [target, type] : cases) {
    RawResponse res = c.roundtrip(get(target));
    ASSERT_TRUE(is_response(res, 200)) << target;
    EXPECT_EQ(res.header("Content-Type"), type) << target;
    EXPECT_EQ(res.header("Cache-Control"), "max-age=60") << target;
    EXPECT_EQ(res.header("Accept-Ranges"), "bytes") << target;
  }
  EXPECT_EQ(http::mime_type("a.tar.gz"), "application/gzip");
  EXPECT_EQ(http::mime_type("dir.d/file"), "application/octet-stream");
  EXPECT_EQ(http::mime_type(".hidden"), "application/octet-stream");
  EXPECT_EQ(http::mime_type("x.WOFF2"), "font/woff2");
}

// The system's table (Debian's media-types, a dependency: scripts/install-deps.sh) comes first,
// the built-in one serves what it lacks.
TEST(StaticFiles, MimeTypesFromTheSystemTableFirst) {
  ASSERT_TRUE(std::filesystem::exists("/etc/mime.types")) << "install media-types";
  EXPECT_EQ(http::mime_type("book.epub"), "application/epub+zip");  // not in the built-in table
  EXPECT_EQ(http::mime_type("a.wav"), "audio/x-wav");               // the built-in says audio/wav
  EXPECT_EQ(http::mime_type("NOTES.TXT"), "text/plain; charset=utf-8");
  EXPECT_EQ(http::mime_type("app.js.map"), "application/json");     // the built-in's, as the system lacks it
  EXPECT_EQ(http::mime_type("x.no-such-extension"), "application/octet-stream");
}

TEST_F(HttpStaticFiles, ETagAndIfNoneMatch) {
  TestServer server(files());
  RawClient c(server.port());
  RawResponse full = c.roundtrip(get("/digits.txt"));
  ASSERT_TRUE(is_response(full, 200));
  EXPECT_EQ(full.header("Last-Modified"), kMtimeText);
  const std::string etag = full.header("ETag").value_or("");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  for (std::string inm : {etag, "W/" + etag, std::string("*"), "\"other\", " + etag, "\"a\",W/" + etag + ",\"b\""}) {
    RawResponse res = c.roundtrip(get("/digits.txt", "If-None-Match: " + inm + "\r\n"));
    ASSERT_TRUE(is_response(res, 304)) << inm;
    EXPECT_EQ(res.status_line, "HTTP/1.1 304 Not Modified");
    EXPECT_EQ(res.header("ETag"), etag);
    EXPECT_EQ(res.body, "");
  }
  RawResponse res = c.roundtrip(get("/digits.txt", "If-None-Match: \"other\"\r\n"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, kDigits);
  // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
  res = c.roundtrip(get("/digits.txt", "If-None-Match: \"other\"\r\nIf-Modified-Since: " + std::string(kMtimeText) + "\r\n"));
  EXPECT_EQ(res.status, 200);
  // A rewritten file has another tag.
  write("root/digits.txt", std::string(kDigits) + "!");
  res = c.roundtrip(get("/digits.txt", "If-None-Match: " + etag + "\r\n"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_NE(res.header("ETag"), etag);
  EXPECT_EQ(res.body, std::string(kDigits) + "!");
}

TEST_F(HttpStaticFiles, IfModifiedSince) {
  TestServer server(files());
  RawClient c(server.port());
  for (const char* date : {"Wed, 01 Jan 2020 00:00:00 GMT", "Thu, 02 Jan 2020 00:00:00 GMT",
                           "Wednesday, 01-Jan-20 00:00:00 GMT", "Wed Jan  1 00:00:00 2020"}) {
    RawResponse res = c.roundtrip(get("/digits.txt", "If-Modified-Since: " + std::string(date) + "\r\n"));
    ASSERT_TRUE(is_response(res, 304)) << date;
    EXPECT_EQ(res.header("Last-Modified"), kMtimeText);
    EXPECT_EQ(res.body, "");
  }
  for (const char* date : {"Tue, 31 Dec 2019 23:59:59 GMT", "not a date", "Wed, 01 Jan 2020 00:00:00 UTC"}) {
    RawResponse res = c.roundtrip(get("/digits.txt", "If-Modified-Since: " + std::string(date) + "\r\n"));
    ASSERT_TRUE(is_response(res, 200)) << date;
    EXPECT_EQ(res.body, kDigits);
  }
  EXPECT_EQ(http::format_http_date(kMtime), kMtimeText);
  EXPECT_EQ(http::parse_http_date(kMtimeText), kMtime);
}

// Issue 17: an If-Modified-Since later than now is invalid (RFC 9110 §13.1.3) and ignored:
// the file, not 304 (a client's clock ahead must not freeze its cache).
TEST_F(HttpStaticFiles, IfModifiedSinceInTheFutureIsIgnored) {
  TestServer server(files());
  RawClient c(server.port());
  auto tomorrow = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + 24h);
  for (std::string date : {http::format_http_date(tomorrow), std::string("Fri, 01 Jan 2100 00:00:00 GMT")}) {
    RawResponse res = c.roundtrip(get("/digits.txt", "If-Modified-Since: " + date + "\r\n"));
    ASSERT_TRUE(is_response(res, 200)) << date;
    EXPECT_EQ(res.body, kDigits);
  }
}

// Issue 17: If-Match and If-Unmodified-Since were ignored. RFC 9110 §13.2.2's order: If-Match
// (strong comparison, §13.1.1), else If-Unmodified-Since (§13.1.4), failing: 412; only then
// If-None-Match / If-Modified-Since.
TEST_F(HttpStaticFiles, IfMatchAndIfUnmodifiedSinceFailWith412) {
  TestServer server(files());
  RawClient c(server.port());
  const std::string etag = c.roundtrip(get("/digits.txt")).header("ETag").value_or("");
  ASSERT_GE(etag.size(), 3u);
  auto status_with = [&](const std::string& fields, std::string_view method = "GET") {
    RawResponse res =
        c.roundtrip(std::string(method) + " /digits.txt HTTP/1.1\r\nHost: test\r\n" + fields + "\r\n", method == "HEAD");
    if (res.status == 412) {
      EXPECT_EQ(res.body, method == "HEAD" ? "" : error_body(412));
    }
    if (res.status == 200 && method == "GET") {
      EXPECT_EQ(res.body, kDigits);
    }
    return res.status;
  };
  for (std::string im : {etag, std::string("*"), "\"other\", " + etag}) {
    EXPECT_EQ(status_with("If-Match: " + im + "\r\n"), 200) << im;
  }
  for (std::string im : {std::string("\"other\""), "W/" + etag, "\"" + etag + "\""}) {
    EXPECT_EQ(status_with("If-Match: " + im + "\r\n"), 412) << im;
    EXPECT_EQ(status_with("If-Match: " + im + "\r\n", "HEAD"), 412) << im;
    EXPECT_EQ(status_with("If-Match: " + im + "\r\nRange: bytes=0-3\r\n"), 412) << im;
  }
  EXPECT_EQ(status_with("If-Unmodified-Since: " + std::string(kMtimeText) + "\r\n"), 200);
  EXPECT_EQ(status_with("If-Unmodified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"), 200);
  EXPECT_EQ(status_with("If-Unmodified-Since: Tue, 31 Dec 2019 23:59:59 GMT\r\n"), 412);
  EXPECT_EQ(status_with("If-Unmodified-Since: not a date\r\n"), 200);
  // If-Match decides alone when present; a failed one wins over If-None-Match's 304.
  EXPECT_EQ(status_with("If-Match: " + etag + "\r\nIf-Unmodified-Since: Tue, 31 Dec 2019 23:59:59 GMT\r\n"), 200);
  EXPECT_EQ(status_with("If-Match: \"other\"\r\nIf-None-Match: " + etag + "\r\n"), 412);
  EXPECT_EQ(status_with("If-Unmodified-Since: Tue, 31 Dec 2019 23:59:59 GMT\r\nIf-Modified-Since: " +
                        std::string(kMtimeText) + "\r\n"),
            412);
  // Passed, the next ones still count.
  EXPECT_EQ(status_with("If-Match: " + etag + "\r\nIf-None-Match: " + etag + "\r\n"), 304);
}

// Issue 17: "/digits.txt/" and "/digits.txt/." were served as the file. A file is no directory:
// 404, as nginx answers (a rule a front proxy keeps for "/digits.txt" would not see them).
TEST_F(HttpStaticFiles, AFileNamedAsADirectoryIs404) {
  TestServer server(files());
  RawClient c(server.port());
  for (const char* target : {"/digits.txt/", "/digits.txt/.", "/digits.txt/%2e", "/digits.txt//", "/digits.txt/./",
                             "/static/digits.txt/", "/sub/a.txt/.", "/inside/"}) {
    RawResponse res = c.roundtrip(get(target));
    ASSERT_TRUE(is_response(res, 404)) << target;
    EXPECT_EQ(res.body, error_body(404)) << target;
  }
  EXPECT_EQ(c.roundtrip(get("/digits.txt")).body, kDigits);
  EXPECT_EQ(c.roundtrip(get("/sub/./a.txt")).body, "a in sub");
  EXPECT_EQ(c.roundtrip(get("/withindex/")).body, "sub index");
  EXPECT_EQ(c.roundtrip(get("/withindex/.")).status, 301);  // a directory: its slash form
}

TEST_F(HttpStaticFiles, SingleRanges) {
  TestServer server(files());
  RawClient c(server.port());
  struct Case {
    const char* range;
    const char* content_range;
    std::string_view body;
  };
  const Case cases[] = {
      {"bytes=0-9", "bytes 0-9/36", kDigits.substr(0, 10)},
      {"bytes=-5", "bytes 31-35/36", kDigits.substr(31)},
      {"bytes=10-", "bytes 10-35/36", kDigits.substr(10)},
      {"bytes=30-100", "bytes 30-35/36", kDigits.substr(30)},
      {"bytes=35-35", "bytes 35-35/36", kDigits.substr(35)},
      {"bytes=-100", "bytes 0-35/36", kDigits},
  };
  for (const auto& k : cases) {
    RawResponse res = c.roundtrip(get("/digits.txt", "Range: " + std::string(k.range) + "\r\n"));
    ASSERT_TRUE(is_response(res, 206)) << k.range;
    EXPECT_EQ(res.status_line, "HTTP/1.1 206 Partial Content");
    EXPECT_EQ(res.header("Content-Range"), k.content_range) << k.range;
    EXPECT_EQ(res.header("Content-Length"), std::to_string(k.body.size())) << k.range;
    EXPECT_EQ(res.body, k.body) << k.range;
    EXPECT_EQ(res.header("Content-Type"), "text/plain; charset=utf-8");
  }
}

TEST_F(HttpStaticFiles, UnsatisfiableRangeIs416) {
  TestServer server(files());
  RawClient c(server.port());
  for (const char* range : {"bytes=999999-", "bytes=36-", "bytes=-0"}) {
    RawResponse res = c.roundtrip(get("/digits.txt", "Range: " + std::string(range) + "\r\n"));
    ASSERT_TRUE(is_response(res, 416)) << range;
    EXPECT_EQ(res.header("Content-Range"), "bytes */36") << range;
    EXPECT_EQ(res.body, error_body(416));
  }
  EXPECT_EQ(c.roundtrip(get("/digits.txt")).body, kDigits);  // and the connection goes on
}

TEST_F(HttpStaticFiles, RangesThatAreIgnored) {
  TestServer server(files());
  RawClient c(server.port());
  // Several ranges, another unit, nonsense: the whole file.
  for (const char* range : {"bytes=0-1,3-4", "bytes=0-1, 5-", "items=0-1", "bytes=5-2", "bytes=x-y", "bytes="}) {
    RawResponse res = c.roundtrip(get("/digits.txt", "Range: " + std::string(range) + "\r\n"));
    ASSERT_TRUE(is_response(res, 200)) << range;
    EXPECT_EQ(res.count("Content-Range"), 0u);
    EXPECT_EQ(res.body, kDigits) << range;
  }
}

TEST_F(HttpStaticFiles, IfRange) {
  TestServer server(files());
  RawClient c(server.port());
  const std::string etag = c.roundtrip(get("/digits.txt")).header("ETag").value_or("");
  RawResponse res = c.roundtrip(get("/digits.txt", "Range: bytes=0-9\r\nIf-Range: \"stale\"\r\n"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, kDigits);
  res = c.roundtrip(get("/digits.txt", "Range: bytes=0-9\r\nIf-Range: W/" + etag + "\r\n"));  // weak: never
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, kDigits);
  res = c.roundtrip(get("/digits.txt", "Range: bytes=0-9\r\nIf-Range: Tue, 31 Dec 2019 23:59:59 GMT\r\n"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, kDigits);
  res = c.roundtrip(get("/digits.txt", "Range: bytes=0-9\r\nIf-Range: " + etag + "\r\n"));
  ASSERT_TRUE(is_response(res, 206));
  EXPECT_EQ(res.body, "0123456789");
  res = c.roundtrip(get("/digits.txt", "Range: bytes=0-9\r\nIf-Range: " + std::string(kMtimeText) + "\r\n"));
  ASSERT_TRUE(is_response(res, 206));
  EXPECT_EQ(res.body, "0123456789");
}

TEST_F(HttpStaticFiles, EmptyFile) {
  TestServer server(files());
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/empty.txt"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.header("Content-Length"), "0");
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(c.roundtrip(get("/digits.txt")).body, kDigits);
}

TEST_F(HttpStaticFiles, HeadSendsHeadersOnly) {
  TestServer server(files());
  RawClient c(server.port());
  RawResponse res = c.roundtrip("HEAD /digits.txt HTTP/1.1\r\nHost: test\r\n\r\n", true);
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.header("Content-Length"), "36");
  EXPECT_EQ(res.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.header("Last-Modified"), kMtimeText);
  EXPECT_EQ(res.count("ETag"), 1u);
  res = c.roundtrip("HEAD /sub HTTP/1.1\r\nHost: test\r\n\r\n", true);
  ASSERT_TRUE(is_response(res, 301));
  EXPECT_EQ(res.header("Location"), "/sub/");
  // Nothing followed the heads: the next response is read cleanly.
  EXPECT_EQ(c.roundtrip(get("/digits.txt")).body, kDigits);
  EXPECT_TRUE(c.still_open());
}

TEST_F(HttpStaticFiles, DotDotNeverLeavesTheRoot) {
  TestServer server(files());
  RawClient probe(server.port());
  const char* targets[] = {
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/sub/../../secret.txt",
      "/sub/%2E%2E/%2e%2e/secret.txt",
      "/%2e%2e%2fsecret.txt",
      "/..%2fsecret.txt",
      "/.%2e/secret.txt",
      "/sub/..%2F..%2Fsecret.txt",
      "//../secret.txt",
      "/static/../secret.txt",
      "/static/%2e%2e/secret.txt",
  };
  for (const char* target : targets) {
    RawClient c(server.port());
    RawResponse res = c.roundtrip(get(target));
    expect_no_secret(res);
    EXPECT_TRUE(is_response(res, 400)) << target;
    EXPECT_EQ(res.body, error_body(400)) << target;
  }
  // Double encoding, or a backslash, is a name, not a "..": not found.
  RawResponse res = probe.roundtrip(get("/%252e%252e/secret.txt"));
  expect_no_secret(res);
  EXPECT_TRUE(is_response(res, 404));
  res = probe.roundtrip(get("/..%5csecret.txt"));
  expect_no_secret(res);
  EXPECT_TRUE(is_response(res, 404));
  // A NUL ends no name.
  for (const char* target : {"/x%00.txt", "/digits.txt%00.png", "/static/digits.txt%00"}) {
    res = probe.roundtrip(get(target));
    expect_no_secret(res);
    EXPECT_TRUE(is_response(res, 400)) << target;
    EXPECT_EQ(res.body, error_body(400)) << target;
  }
}

TEST_F(HttpStaticFiles, SymbolicLinksStayBeneathTheRoot) {
  TestServer server(files());
  RawClient c(server.port());
  for (const char* target : {"/escape", "/escape_abs", "/outdir/secret.txt", "/outdir/", "/static/escape"}) {
    RawResponse res = c.roundtrip(get(target));
    expect_no_secret(res);
    EXPECT_TRUE(is_response(res, 403)) << target;
    EXPECT_EQ(res.body, error_body(403)) << target;
  }
  RawResponse res = c.roundtrip(get("/inside"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, kDigits);
  EXPECT_EQ(c.roundtrip(get("/sublink/a.txt")).body, "a in sub");
  // The root's listing names the links but never follows them out.
  res = c.roundtrip(get("/"));
  expect_no_secret(res);
}

TEST_F(HttpStaticFiles, FifoIsForbiddenAndDoesNotHang) {
  TestServer server(files());
  RawClient c(server.port(), 5s);
  auto t0 = std::chrono::steady_clock::now();
  RawResponse res = c.roundtrip(get("/fifo"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  ASSERT_TRUE(is_response(res, 403));
  EXPECT_EQ(res.body, error_body(403));
  EXPECT_EQ(c.roundtrip(get("/digits.txt")).body, kDigits);
  // A listing of a directory with a FIFO in it is fine too.
  fs::remove(root() / "index.html");
  res = c.roundtrip(get("/"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_NE(res.body.find("<a href=\"fifo\">fifo</a>"), std::string::npos) << res.body;
  expect_no_secret(res);
}

TEST_F(HttpStaticFiles, Large256MiBFileArrivesWhole) {
  constexpr std::size_t kPiece = 1 << 20;
  constexpr std::size_t kPieces = 256;
  Sha256 written;
  {
    std::ofstream out(root() / "big.bin", std::ios::binary);
    for (std::size_t i = 0; i < kPieces; ++i) {
      std::string piece = wire::test::random_string(kPiece, 0xb16 + i);
      written.update(piece);
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    }
    ASSERT_TRUE(out.good());
  }
  ASSERT_EQ(fs::file_size(root() / "big.bin"), kPiece * kPieces);
  const std::string expected = written.hex();

  TestServer server(files());
  RawClient c(server.port(), 60s);
  c.send(get("/big.bin"));
  RawResponse head = c.read_response(true);  // the head; the body is read below, in pieces
  ASSERT_TRUE(is_response(head, 200));
  ASSERT_EQ(head.header("Content-Length"), std::to_string(kPiece * kPieces));
  EXPECT_EQ(head.header("Content-Type"), "application/octet-stream");
  Sha256 received;
  std::vector<std::byte> buffer(kPiece);
  std::size_t total = 0;
  for (std::size_t i = 0; i < 100'000 && total < kPiece * kPieces; ++i) {
    std::size_t want = std::min(buffer.size(), kPiece * kPieces - total);
    std::size_t n = c.socket().recv(std::span(buffer.data(), want));
    ASSERT_GT(n, 0u) << "closed after " << total << " bytes";
    received.update(std::span<const std::byte>(buffer.data(), n));
    total += n;
  }
  ASSERT_EQ(total, kPiece * kPieces);
  EXPECT_EQ(received.hex(), expected);
  // A range from the middle of it, and the connection still serves.
  RawResponse part = c.roundtrip(get("/big.bin", "Range: bytes=100000000-100000015\r\n"));
  ASSERT_TRUE(is_response(part, 206));
  std::string piece = wire::test::random_string(kPiece, 0xb16 + 100000000 / kPiece);
  EXPECT_EQ(part.body, piece.substr(100000000 % kPiece, 16));
}

}  // namespace
