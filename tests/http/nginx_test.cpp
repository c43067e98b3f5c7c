// SPDX-License-Identifier: MIT
// wire::http's client and `wire http` against Debian's nginx, started here on
// free loopback ports with a generated configuration (tests/http/peers.cpp):
// static files from 0 B to 100 MiB with checksums, plain and TLS with a test
// CA, gzip only when asked for, chunked responses, keep-alive proven by nginx's
// own connection counter, redirects and their method rules, and certificate
// verification failing and succeeding as it should.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "client_helpers.hpp"
#include "io/io_helpers.hpp"
#include "peers.hpp"
#include "support/certs.hpp"
#include "support/random.hpp"
#include "wire/http/connection.hpp"
#include "wire/tls/error.hpp"
#include "wire/version.hpp"

namespace {

namespace http = wire::http;
using namespace std::chrono_literals;
using wire::test::ProcessResult;
using wire::test::TestPki;
using wire::test::http::Failure;
using wire::test::http::failure_of;
using wire::test::http::is_failure;
using wire::test::http::Nginx;
using wire::test::http::run_wire;
using wire::test::http::Sha256;
using wire::test::http::sha256_hex;
using Kind = Failure::Kind;

constexpr std::size_t kMiB = 1 << 20;
constexpr std::size_t kLarge = 100 * kMiB;  // as the issue asks (about 1 s under ASan too)

http::ConnectionOptions options() {
  http::ConnectionOptions o;
  o.connect_timeout = 10s;
  o.io_timeout = 20s;
  return o;
}

http::ConnectionOptions tls_options(const TestPki& pki) {
  http::ConnectionOptions o = options();
  o.tls = pki.client_context();
  return o;
}

// A file of `size` pseudo-random bytes written in pieces, never whole in memory;
// returns its SHA-256.
std::string write_random_file(const std::filesystem::path& path, std::size_t size, std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary);
  Sha256 sha;
  for (std::size_t at = 0; at < size; at += kMiB) {
    std::string piece = wire::test::random_string(std::min(kMiB, size - at), seed + at);
    sha.update(piece);
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
  return sha.hex();
}

// SHA-256 of a file, read in pieces.
std::string file_sha256(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  Sha256 sha;
  std::vector<char> buf(kMiB);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    sha.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
  }
  return sha.hex();
}

// Text that gzip shrinks, with @@NAME@@ markers for the /sub/ location.
std::string text_file(std::size_t lines) {
  std::string out;
  for (std::size_t i = 0; i < lines; ++i) out += "line " + std::to_string(i) + ": hello @@NAME@@, hello again\n";
  return out;
}

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  for (auto at = s.find(from); at != std::string_view::npos; at = s.find(from)) {
    out.append(s.substr(0, at)).append(to);
    s.remove_prefix(at + from.size());
  }
  return out.append(s);
}

std::string gunzip(const std::string& data) {
  auto r = wire::test::run_process({"gzip", "-dc"}, {.input = data});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Streams a response's body through SHA-256; returns {bytes, hex digest}.
std::pair<std::size_t, std::string> stream_body(http::ClientResponse& r) {
  Sha256 sha;
  std::size_t total = 0;
  std::vector<std::byte> buf(256 * 1024);
  for (std::size_t i = 0; i < 1'000'000; ++i) {
    std::size_t n = r.read(buf);
    if (n == 0) break;
    sha.update(std::span(buf).first(n));
    total += n;
  }
  return {total, sha.hex()};
}

// "C R": nginx's connection serial number and the requests it has carried.
std::pair<long, long> connection_of(const std::string& body) {
  auto space = body.find(' ');
  EXPECT_NE(space, std::string::npos) << body;
  if (space == std::string::npos) return {-1, -1};
  return {std::stol(body.substr(0, space)), std::stol(body.substr(space + 1))};
}

std::string get(http::Connection& c, const std::string& target, int expected_status = 200) {
  c.request("GET", target);
  auto& r = c.getresponse();
  EXPECT_EQ(r.status(), expected_status) << target;
  return r.read();
}

class NginxTest : public testing::Test {
 protected:
  void TearDown() override {
    ProcessResult r = nginx.stop();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* level : {"[alert]", "[crit]", "[emerg]"}) {
      EXPECT_EQ(r.err.find(level), std::string::npos) << r.err;
    }
  }

  /// `wire http ARGS`; checks nothing.
  ProcessResult wire_http(std::vector<std::string> args, std::string input = {}) {
    args.insert(args.begin(), "http");
    return run_wire(args, std::move(input));
  }

  /// Asserts `r` is a success with an empty stderr (no progress bar when stderr is not a terminal).
  static testing::AssertionResult succeeded(const ProcessResult& r) {
    if (r.exit_code != 0 || !r.err.empty() || r.timed_out) {
      return testing::AssertionFailure() << "exit " << r.exit_code << (r.timed_out ? " (timed out)" : "")
                                         << ", stderr: " << r.err;
    }
    return testing::AssertionSuccess();
  }

  /// Asserts `r` is a failure: non-zero exit, empty stdout, one line "wire: ..." with `words`.
  static testing::AssertionResult failed(const ProcessResult& r, std::initializer_list<std::string_view> words) {
    if (r.exit_code == 0 || r.timed_out) {
      return testing::AssertionFailure() << "exit " << r.exit_code << (r.timed_out ? " (timed out)" : "");
    }
    if (!r.out.empty()) return testing::AssertionFailure() << "stdout not empty: " << r.out.substr(0, 200);
    if (r.err.rfind("wire: ", 0) != 0 || r.err.find('\n') != r.err.size() - 1) {
      return testing::AssertionFailure() << "stderr is not one line `wire: ...`: " << r.err;
    }
    for (auto word : words) {
      if (r.err.find(word) == std::string::npos) {
        return testing::AssertionFailure() << "stderr lacks \"" << word << "\": " << r.err;
      }
    }
    return testing::AssertionSuccess() << r.err;
  }

  TestPki pki;
  Nginx nginx{pki};
};

// --- Connection -----------------------------------------------------------------------------

TEST_F(NginxTest, StaticFilesWithChecksumsOnOneConnection) {
  struct File {
    std::string name;
    std::size_t size;
    std::string sha;
  };
  std::vector<File> files{{"empty.bin", 0, ""}, {"one.bin", 1, ""}, {"mib.bin", kMiB, ""}, {"odd.bin", 65537, ""}};
  for (std::size_t i = 0; i < files.size(); ++i) {
    files[i].sha = write_random_file(nginx.root() / files[i].name, files[i].size, 100 + i);
  }
  for (bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "https" : "http");
    http::Connection c(tls ? "https" : "http", "127.0.0.1", tls ? nginx.tls_port() : nginx.port(),
                       tls ? tls_options(pki) : options());
    for (const auto& f : files) {
      c.request("GET", "/" + f.name);
      auto& r = c.getresponse();
      EXPECT_EQ(r.status(), 200);
      EXPECT_EQ(r.headers().get("Content-Length"), std::to_string(f.size));
      EXPECT_EQ(r.headers().get("Content-Type"), "application/octet-stream");
      std::string body = r.read();
      EXPECT_EQ(body.size(), f.size) << f.name;
      EXPECT_EQ(sha256_hex(body), f.sha) << f.name;
    }
    // Every file came over one connection: nginx counts them on it.
    EXPECT_EQ(connection_of(get(c, "/conn")).second, static_cast<long>(files.size()) + 1);
  }
}

TEST_F(NginxTest, LargeFileIsStreamedWithItsChecksum) {
  std::string sha = write_random_file(nginx.root() / "large.bin", kLarge, 7);
  auto c = http::Connection::http("127.0.0.1", nginx.port(), options());
  c.request("GET", "/large.bin");
  auto& r = c.getresponse();
  ASSERT_EQ(r.status(), 200);
  EXPECT_EQ(r.headers().get("Content-Length"), std::to_string(kLarge));
  auto [size, digest] = stream_body(r);
  EXPECT_EQ(size, kLarge);
  EXPECT_EQ(digest, sha);
  EXPECT_EQ(connection_of(get(c, "/conn")).second, 2);  // and the connection goes on
}

TEST_F(NginxTest, HttpsWithTheTestCaFromConnectionOptions) {
  nginx.write_file("hello.txt", "hello over TLS\n");
  for (const char* host : {"localhost", "127.0.0.1"}) {
    SCOPED_TRACE(host);
    auto c = http::Connection::https(host, nginx.tls_port(), tls_options(pki));
    EXPECT_EQ(get(c, "/hello.txt"), "hello over TLS\n");
    EXPECT_EQ(get(c, "/method"), "GET");
    EXPECT_EQ(connection_of(get(c, "/conn")).second, 3);
  }
}

TEST_F(NginxTest, HttpsRefusesWhatItCannotVerify) {
  // The default context trusts the system's CAs, which do not include the test CA.
  auto system_trust = http::Connection::https("127.0.0.1", nginx.tls_port(), options());
  EXPECT_TRUE(is_failure(failure_of([&] { system_trust.request("GET", "/"); }), Kind::system,
                         wire::tls::Errc::verify_failed, {"certificate verify failed"}));
  // The test CA does not vouch for a self-signed certificate.
  auto self_signed = http::Connection::https("127.0.0.1", nginx.self_signed_port(), tls_options(pki));
  EXPECT_TRUE(is_failure(failure_of([&] { self_signed.request("GET", "/"); }), Kind::system,
                         wire::tls::Errc::verify_failed, {"certificate verify failed", "self-signed"}));
  // Trusting that certificate itself works.
  auto ctx = wire::tls::Context::client(wire::tls::Trust::added_only);
  ctx.add_ca_file(pki.cert_file("self_signed"));
  auto o = options();
  o.tls = ctx;
  auto trusted = http::Connection::https("127.0.0.1", nginx.self_signed_port(), o);
  EXPECT_EQ(get(trusted, "/"), "self-signed\n");
}

TEST_F(NginxTest, KeepAliveCountedByTheServer) {
  for (bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "https" : "http");
    http::Connection c(tls ? "https" : "http", "127.0.0.1", tls ? nginx.tls_port() : nginx.port(),
                       tls ? tls_options(pki) : options());
    auto [first, requests] = connection_of(get(c, "/conn"));
    EXPECT_EQ(requests, 1);
    for (long i = 2; i <= 6; ++i) {
      EXPECT_EQ(connection_of(get(c, "/conn")), std::make_pair(first, i));
    }
    // After close(), a new connection: nginx numbers it differently.
    c.close();
    auto [second, fresh] = connection_of(get(c, "/conn"));
    EXPECT_NE(second, first);
    EXPECT_EQ(fresh, 1);
  }
}

TEST_F(NginxTest, AsyncConnectionKeepsTheConnection) {
  nginx.write_file("a.txt", "aaa");
  auto session = [&]() -> wire::io::Task<void> {
    auto c = co_await http::AsyncConnection::open("https", "localhost", nginx.tls_port(), tls_options(pki));
    std::optional<long> first;
    for (long i = 1; i <= 4; ++i) {
      co_await c.send_request(http::Request{"GET", "/conn"});
      const http::Response& r = co_await c.read_response_head();
      EXPECT_EQ(r.status, 200);
      auto [conn, requests] = connection_of(co_await c.read_body_all(100));
      if (!first) first = conn;
      EXPECT_EQ(conn, *first);
      EXPECT_EQ(requests, i);
      EXPECT_TRUE(c.reusable());
    }
    co_await c.send_request(http::Request{"GET", "/a.txt"});
    co_await c.read_response_head();
    EXPECT_EQ(co_await c.read_body_all(100), "aaa");
    c.close();
  };
  wire::test::io::run_bounded(session(), 60s);
}

TEST_F(NginxTest, HeadPostAndErrorsKeepTheConnection) {
  write_random_file(nginx.root() / "mib.bin", kMiB, 1);
  auto c = http::Connection::http("127.0.0.1", nginx.port(), options());
  c.request("HEAD", "/mib.bin");
  auto& head = c.getresponse();
  EXPECT_EQ(head.status(), 200);
  EXPECT_EQ(head.headers().get("Content-Length"), std::to_string(kMiB));
  EXPECT_EQ(head.read(), "");
  // A body nginx reads and discards (return 200), then a small one.
  c.request("POST", "/method", wire::test::random_string(kMiB, 2));
  EXPECT_EQ(c.getresponse().read(), "POST");
  c.request("PUT", "/method", "x");
  EXPECT_EQ(c.getresponse().read(), "PUT");
  EXPECT_EQ(get(c, "/missing", 404), "not here\n");
  std::string not_found = get(c, "/no-such-file.bin", 404);
  EXPECT_NE(not_found.find("404 Not Found"), std::string::npos) << not_found;
  EXPECT_EQ(connection_of(get(c, "/conn")).second, 6);
}

TEST_F(NginxTest, GzipOnlyWhenAskedFor) {
  std::string text = text_file(4000);
  nginx.write_file("text.txt", text);
  auto c = http::Connection::http("127.0.0.1", nginx.port(), options());
  // Without Accept-Encoding: identity, with its length.
  c.request("GET", "/text.txt");
  auto& plain = c.getresponse();
  EXPECT_FALSE(plain.headers().contains("Content-Encoding"));
  EXPECT_EQ(plain.headers().get("Content-Length"), std::to_string(text.size()));
  EXPECT_EQ(plain.read(), text);
  // Asked for gzip: gzip bytes, chunked (nginx does not know the compressed length
  // in advance). The client does not decode yet: the bytes are gzip's.
  c.request("GET", "/text.txt", {}, {{"Accept-Encoding", "gzip"}});
  auto& gz = c.getresponse();
  EXPECT_EQ(gz.headers().get("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.headers().get("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(gz.headers().contains("Content-Length"));
  std::string compressed = gz.read();
  ASSERT_GE(compressed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  EXPECT_LT(compressed.size(), text.size() / 4);
  EXPECT_EQ(gunzip(compressed), text);
  EXPECT_EQ(connection_of(get(c, "/conn")).second, 3);
}

TEST_F(NginxTest, ChunkedResponsesOfManySizes) {
  // sub_filter changes the length, so nginx sends the file chunked (identity).
  for (std::size_t lines : {1, 100, 20000}) {
    nginx.write_file("t" + std::to_string(lines) + ".txt", text_file(lines));
  }
  for (bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "https" : "http");
    http::Connection c(tls ? "https" : "http", "127.0.0.1", tls ? nginx.tls_port() : nginx.port(),
                       tls ? tls_options(pki) : options());
    for (std::size_t lines : {1, 100, 20000}) {
      c.request("GET", "/sub/t" + std::to_string(lines) + ".txt");
      auto& r = c.getresponse();
      EXPECT_EQ(r.status(), 200);
      EXPECT_EQ(r.headers().get("Transfer-Encoding"), "chunked");
      EXPECT_FALSE(r.headers().contains("Content-Length"));
      std::string expected = replace_all(text_file(lines), "@@NAME@@", "wire");
      std::string body = r.read();
      EXPECT_EQ(body.size(), expected.size());
      EXPECT_EQ(body, expected);
    }
    EXPECT_EQ(connection_of(get(c, "/conn")).second, 4);
  }
}

// --- wire http ------------------------------------------------------------------------------

TEST_F(NginxTest, CliDownloadsFilesExactly) {
  std::string sha0 = write_random_file(nginx.root() / "empty.bin", 0, 1);
  std::string sha1 = write_random_file(nginx.root() / "one.bin", 1, 2);
  std::string sha_mib = write_random_file(nginx.root() / "mib.bin", kMiB, 3);
  std::string sha_large = write_random_file(nginx.root() / "large.bin", kLarge, 4);
  // To stdout.
  for (auto [name, sha] : {std::pair{"empty.bin", sha0}, {"one.bin", sha1}, {"mib.bin", sha_mib}}) {
    auto r = wire_http({"get", nginx.url(std::string("/") + name)});
    EXPECT_TRUE(succeeded(r)) << name;
    EXPECT_EQ(sha256_hex(r.out), sha) << name;
  }
  // To a file with -o, over TLS too: stdout and stderr stay empty (no progress bar:
  // stderr is not a terminal).
  wire::test::TempDir out;
  for (auto [url, sha] : {std::pair{nginx.url("/large.bin"), sha_large}, {nginx.tls_url("/mib.bin"), sha_mib}}) {
    auto file = out / "download.bin";
    auto r = wire_http({"get", url, "-o", file.string(), "--cacert", pki.ca_file().string()});
    EXPECT_TRUE(succeeded(r)) << url;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(std::filesystem::file_size(file), url.ends_with("large.bin") ? kLarge : kMiB) << url;
    EXPECT_EQ(file_sha256(file), sha) << url;
  }
}

TEST_F(NginxTest, CliIncludePrintsTheHead) {
  auto r = wire_http({"get", "-i", nginx.url("/method")});
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\r\nServer: nginx"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\r\nContent-Length: 3\r\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(r.out.size() - 7), "\r\n\r\nGET");
}

TEST_F(NginxTest, CliSendsHeaders) {
  auto r = wire_http({"get", nginx.url("/headers"), "-H", "X-Test: hello there"});
  ASSERT_TRUE(succeeded(r));
  // The client asks for compressed bodies and decodes them (unless told an Accept-Encoding).
  EXPECT_EQ(r.out, "x-test=hello there\nuser-agent=wire/" WIRE_VERSION_STRING
                   "\naccept=*/*\naccept-encoding=gzip, deflate\n");
  r = wire_http({"get", nginx.url("/headers"), "-H", "User-Agent: mine", "-H", "Accept: text/plain"});
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "x-test=\nuser-agent=mine\naccept=text/plain\naccept-encoding=gzip, deflate\n");
}

TEST_F(NginxTest, CliGzipBytesWhenAskedFor) {
  std::string text = text_file(2000);
  nginx.write_file("text.txt", text);
  auto identity = wire_http({"get", nginx.url("/text.txt")});
  ASSERT_TRUE(succeeded(identity));
  EXPECT_EQ(identity.out, text);
  auto gz = wire_http({"get", "-H", "Accept-Encoding: gzip", nginx.url("/text.txt")});
  ASSERT_TRUE(succeeded(gz));
  ASSERT_GE(gz.out.size(), 2u);
  EXPECT_EQ(gz.out.substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(gunzip(gz.out), text);
}

struct RedirectCase {
  std::string method;
  std::string path;
  std::string expected_method;  // what the final request was, as nginx saw it
};

TEST_F(NginxTest, CliFollowsRedirectsWithTheirMethodRules) {
  const std::vector<RedirectCase> cases{
      {"GET", "/r301", "GET"},    {"GET", "/r302", "GET"},     {"GET", "/r303", "GET"},
      {"GET", "/r307", "GET"},    {"GET", "/r308", "GET"},     {"GET", "/relative", "GET"},
      {"POST", "/r301", "GET"},   {"POST", "/r302", "GET"},    {"POST", "/r303", "GET"},
      {"POST", "/r307", "POST"},  {"POST", "/r308", "POST"},   {"PUT", "/r303", "GET"},
      {"PUT", "/r307", "PUT"},    {"DELETE", "/r308", "DELETE"}, {"POST", "/relative", "GET"},
  };
  for (const auto& c : cases) {
    auto r = wire_http({"request", c.method, nginx.url(c.path), "-d", "some data"});
    EXPECT_TRUE(succeeded(r)) << c.method << " " << c.path;
    EXPECT_EQ(r.out, c.expected_method) << c.method << " " << c.path;
  }
  // `get` follows too, across schemes (http to https, verified with --cacert).
  auto r = wire_http({"get", nginx.url("/to-https"), "--cacert", pki.ca_file().string()});
  EXPECT_TRUE(succeeded(r));
  EXPECT_EQ(r.out, "GET");
}

TEST_F(NginxTest, CliReusesTheConnectionAcrossARedirect) {
  auto r = wire_http({"get", nginx.url("/to-conn")});
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(connection_of(r.out).second, 2);  // the redirect and /conn on one connection
}

TEST_F(NginxTest, CliMaxRedirectsZeroPrintsTheRedirect) {
  auto r = wire_http({"get", "-i", "--max-redirects", "0", nginx.url("/r301")});
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(r.out.rfind("HTTP/1.1 301 Moved Permanently\r\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\r\nLocation: " + nginx.url("/method") + "\r\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<title>301 Moved Permanently</title>"), std::string::npos) << r.out;
}

TEST_F(NginxTest, CliRedirectLoopFails) {
  auto r = wire_http({"get", nginx.url("/loop")});
  EXPECT_TRUE(failed(r, {}));
  EXPECT_EQ(r.err, "wire: " + nginx.url("/loop") + ": more than 10 redirects (the last to " +
                       nginx.url("/loop") + ")\n");
  r = wire_http({"get", "--max-redirects", "3", nginx.url("/loop")});
  EXPECT_TRUE(failed(r, {"more than 3 redirects"}));
}

TEST_F(NginxTest, CliVerifiesCertificates) {
  std::string self_signed = "https://127.0.0.1:" + std::to_string(nginx.self_signed_port()) + "/";
  // The done-when of issue 5: a self-signed server fails verification, and passes with --cacert.
  auto refused = wire_http({"get", self_signed});
  EXPECT_TRUE(failed(refused, {"certificate verify failed", "self-signed certificate"}));
  auto accepted = wire_http({"get", self_signed, "--cacert", pki.cert_file("self_signed").string()});
  EXPECT_TRUE(succeeded(accepted));
  EXPECT_EQ(accepted.out, "self-signed\n");
  auto insecure = wire_http({"get", self_signed, "-k"});
  EXPECT_TRUE(succeeded(insecure));
  EXPECT_EQ(insecure.out, "self-signed\n");
  // A server signed by the test CA: refused with the system's CAs, or with the wrong CA file.
  EXPECT_TRUE(failed(wire_http({"get", nginx.tls_url("/method")}), {"certificate verify failed"}));
  EXPECT_TRUE(failed(wire_http({"get", nginx.tls_url("/method"), "--cacert", pki.cert_file("self_signed").string()}),
                     {"certificate verify failed"}));
  for (auto url : {nginx.tls_url("/method"), "https://localhost:" + std::to_string(nginx.tls_port()) + "/method"}) {
    auto r = wire_http({"get", url, "--cacert", pki.ca_file().string()});
    EXPECT_TRUE(succeeded(r)) << url;
    EXPECT_EQ(r.out, "GET") << url;
  }
}

TEST_F(NginxTest, CliFailExitCodes) {
  auto plain = wire_http({"get", nginx.url("/missing")});
  EXPECT_TRUE(succeeded(plain));  // a 404 is an answer: exit 0 without --fail
  EXPECT_EQ(plain.out, "not here\n");
  auto fail = wire_http({"get", "--fail", nginx.url("/missing")});
  EXPECT_NE(fail.exit_code, 0);
  EXPECT_EQ(fail.err, "wire: " + nginx.url("/missing") + ": the server answered 404 Not Found\n");
  EXPECT_TRUE(succeeded(wire_http({"get", "-f", nginx.url("/method")})));
}

}  // namespace
