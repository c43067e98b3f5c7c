// SPDX-License-Identifier: MIT
// Pipelining (issue 15, point 3): requests read together are answered together, their
// responses gathered in the exchange's output and written in one send per batch (at most 16
// responses or 64 KiB; a file or a large body goes out after what was gathered before it).
// These tests check what a client sees: every response, in order, its body intact, whatever
// mix of routes, static files, bodies and sizes the batch holds, and a malformed request in a
// batch answered 400 after the ones before it, then the close. How many writes a batch costs
// is counted by the budget tests (budget_test.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server_helpers.hpp"
#include "support/temp_dir.hpp"
#include "wire/http/server.hpp"

namespace {

namespace http = wire::http;
using wire::test::TempDir;
using wire::test::http::End;
using wire::test::http::error_body;
using wire::test::http::get;
using wire::test::http::is_response;
using wire::test::http::RawClient;
using wire::test::http::RawResponse;
using wire::test::http::request;
using wire::test::http::Tail;
using wire::test::http::TestServer;

// A body of `n` bytes that says where each byte is.
std::string pattern(std::size_t n, char salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + static_cast<std::size_t>(salt)) % 26);
  return s;
}

class HttpPipelining : public testing::Test {
 protected:
  void SetUp() override {
    write("small.txt", "small file\n");
    write("large.bin", pattern(100 * 1024, 'L'));  // larger than a batch: sendfile after the held ones
  }
  void write(const std::string& name, const std::string& body) {
    std::ofstream(dir_ / name, std::ios::binary) << body;
  }
  http::Router router() const {
    http::Router r;
    r.get("/echo/{x}", [](http::ServerRequest& q) { return http::ServerResponse::text(std::string(q.param("x"))); });
    r.post("/echo", [](http::ServerRequest& q) { return http::ServerResponse::text("posted:" + q.body); });
    // Larger than the inline limit (16 KiB): its head goes with the held responses, its body after.
    r.get("/big", [](http::ServerRequest&) { return http::ServerResponse::text(pattern(20'000, 'B')); });
    r.files("/files", dir_.path());
    return r;
  }

  TempDir dir_;
};

// One of the requests of a batch, and what its answer must be.
struct Expected {
  std::string request;
  int status;
  std::string body;
  bool head = false;
};

TEST_F(HttpPipelining, AMixedBatchIsAnsweredInOrderWithBodiesIntact) {
  TestServer server(router());
  std::vector<Expected> batch = {
      {get("/echo/1"), 200, "1"},
      {get("/files/small.txt"), 200, "small file\n"},
      {request("POST", "/echo", "a body in the batch"), 200, "posted:a body in the batch"},
      {get("/echo/2"), 200, "2"},
      {get("/big"), 200, pattern(20'000, 'B')},
      {get("/missing"), 404, error_body(404)},
      {"HEAD /echo/3 HTTP/1.1\r\nHost: test\r\n\r\n", 200, "", true},
      {get("/files/large.bin"), 200, pattern(100 * 1024, 'L')},
      {get("/echo/4"), 200, "4"},
  };
  // 20 small ones: more than a batch's 16 responses.
  for (int i = 0; i < 20; ++i) batch.push_back({get("/echo/n" + std::to_string(i)), 200, "n" + std::to_string(i)});
  batch.push_back({request("POST", "/echo", pattern(3000, 'P')), 200, "posted:" + pattern(3000, 'P')});
  batch.push_back({get("/echo/last"), 200, "last"});
  std::string all;
  for (const auto& e : batch) all += e.request;
  RawClient c(server.port());
  c.send(all);  // one write
  for (std::size_t i = 0; i < batch.size(); ++i) {
    RawResponse r = c.read_response(batch[i].head);
    ASSERT_TRUE(is_response(r, batch[i].status)) << i;
    EXPECT_EQ(r.body, batch[i].body) << i;
  }
  // Nothing more, and the connection is still open for the next request.
  EXPECT_TRUE(c.still_open());
  EXPECT_EQ(c.roundtrip(get("/echo/after")).body, "after");
}

TEST_F(HttpPipelining, AMalformedRequestInABatchIsAnswered400AfterTheOnesBeforeIt) {
  TestServer server(router());
  RawClient c(server.port());
  c.send(get("/echo/a") + get("/files/small.txt") + get("/echo/b") + "GET /x HTTP/1.1\r\nBad Header\r\n\r\n" +
         get("/echo/never"));
  RawResponse a = c.read_response();
  ASSERT_TRUE(is_response(a, 200));
  EXPECT_EQ(a.body, "a");
  EXPECT_EQ(c.read_response().body, "small file\n");
  EXPECT_EQ(c.read_response().body, "b");
  RawResponse bad = c.read_response();
  ASSERT_TRUE(is_response(bad, 400));
  EXPECT_EQ(bad.body, error_body(400));
  EXPECT_EQ(bad.header("Connection"), "close");
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");  // the request after it is never answered
  EXPECT_NE(t.end, End::timeout);
}

TEST_F(HttpPipelining, ABatchCutInTheMiddleOfAHeadIsAnsweredAsItCompletes) {
  TestServer server(router());
  RawClient c(server.port());
  // Two whole requests and half of a third: the two answers go out before the server waits
  // for the rest (a client that waits for them before sending more is not stuck).
  std::string third = get("/echo/third");
  c.send(get("/echo/one") + get("/echo/two") + third.substr(0, 10));
  EXPECT_EQ(c.read_response().body, "one");
  EXPECT_EQ(c.read_response().body, "two");
  c.send(third.substr(10));
  EXPECT_EQ(c.read_response().body, "third");
  EXPECT_TRUE(c.still_open());
}

TEST_F(HttpPipelining, ABatchEndingInConnectionCloseIsAnsweredThenClosed) {
  TestServer server(router());
  RawClient c(server.port());
  c.send(get("/echo/x") + get("/echo/y") + get("/echo/z", "Connection: close\r\n"));
  EXPECT_EQ(c.read_response().body, "x");
  EXPECT_EQ(c.read_response().body, "y");
  RawResponse z = c.read_response();
  EXPECT_EQ(z.body, "z");
  EXPECT_EQ(z.header("Connection"), "close");
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_EQ(t.end, End::eof);
}

}  // namespace
