// SPDX-License-Identifier: MIT
// wire::http's client and `wire http get` against Python's http.server, an
// HTTP/1.0 server that closes the connection after every response: files with
// checksums, and Connection reconnecting by itself between requests.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "client_helpers.hpp"
#include "io/io_helpers.hpp"
#include "peers.hpp"
#include "support/random.hpp"
#include "wire/http/connection.hpp"

namespace {

namespace http = wire::http;
using namespace std::chrono_literals;
using wire::test::http::PythonHttpServer;
using wire::test::http::run_wire;
using wire::test::http::sha256_hex;

http::ConnectionOptions options() {
  http::ConnectionOptions o;
  o.connect_timeout = 10s;
  o.io_timeout = 20s;
  return o;
}

// Lines of the server's log that record a request for `path`.
std::size_t requests_logged(const std::string& log, const std::string& path) {
  std::size_t n = 0;
  std::string needle = "\"GET " + path + " HTTP/1.1\"";
  for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
  return n;
}

TEST(PythonHttpServer, ConnectionReconnectsBetweenRequests) {
  PythonHttpServer server;
  struct File {
    std::string name;
    std::string data;
  };
  std::vector<File> files{{"empty.bin", ""},
                          {"one.bin", "x"},
                          {"mib.bin", wire::test::random_string(1 << 20, 11)},
                          {"five.bin", wire::test::random_string(5 << 20, 12)}};
  for (const auto& f : files) server.write_file(f.name, f.data);
  auto c = http::Connection::http("127.0.0.1", server.port(), options());
  for (int round = 0; round < 2; ++round) {
    for (const auto& f : files) {
      c.request("GET", "/" + f.name);  // the server closed the last connection: a new one
      auto& r = c.getresponse();
      EXPECT_EQ(r.status(), 200) << f.name;
      EXPECT_EQ(r.head().version, (http::Version{1, 0}));
      EXPECT_EQ(r.headers().get("Content-Length"), std::to_string(f.data.size()));
      std::string body = r.read();
      EXPECT_EQ(body.size(), f.data.size()) << f.name;
      EXPECT_EQ(sha256_hex(body), sha256_hex(f.data)) << f.name;
    }
  }
  c.request("GET", "/no-such-file");
  auto& missing = c.getresponse();
  EXPECT_EQ(missing.status(), 404);
  EXPECT_NE(missing.read().find("404"), std::string::npos);
  c.close();
  auto result = server.stop();
  for (const auto& f : files) EXPECT_EQ(requests_logged(result.err, "/" + f.name), 2u) << result.err;
}

TEST(PythonHttpServer, AsyncConnectionIsNotReusableAfterAnHttp10Response) {
  PythonHttpServer server;
  server.write_file("a.txt", "a file\n");
  auto session = [&]() -> wire::io::Task<void> {
    for (int i = 0; i < 2; ++i) {
      auto c = co_await http::AsyncConnection::open("http", "127.0.0.1", server.port(), options());
      co_await c.send_request(http::Request{"GET", "/a.txt"});
      const http::Response& r = co_await c.read_response_head();
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(co_await c.read_body_all(100), "a file\n");
      EXPECT_FALSE(c.reusable());  // HTTP/1.0 without keep-alive: the server closes
    }
  };
  wire::test::io::run_bounded(session(), 60s);
}

TEST(PythonHttpServer, CliDownloadsWithChecksums) {
  PythonHttpServer server;
  std::string data = wire::test::random_string(3 << 20, 13);
  server.write_file("data.bin", data);
  server.write_file("small.txt", "small\n");
  auto r = run_wire({"http", "get", server.url("/small.txt")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "small\n");
  EXPECT_EQ(r.err, "");
  wire::test::TempDir out;
  auto file = out / "data.bin";
  r = run_wire({"http", "get", "-o", file.string(), server.url("/data.bin")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  std::ifstream in(file, std::ios::binary);
  std::string got{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(sha256_hex(got), sha256_hex(data));
  r = run_wire({"http", "get", "--fail", server.url("/missing")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "wire: " + server.url("/missing") + ": the server answered 404 Not Found\n");
}

}  // namespace
