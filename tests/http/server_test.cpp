// SPDX-License-Identifier: MIT
// wire::http::Server against raw sockets on loopback: the router (literal routes, {param}
// and {rest...} decoded, 404, 405 with Allow, OPTIONS, HEAD, hooks, handlers that throw or
// answer invalid fields, async handlers, the query, the peer, absolute-form targets), HTTP/1.1
// (keep-alive, HTTP/1.0, Connection: close, pipelining, chunked request bodies with trailers,
// Expect: 100-continue, streamed responses and request bodies, unread bodies drained or
// closed on), TLS (ALPN, keep-alive, plaintext on the TLS port) and graceful shutdown.
// Every response is read with the strict parser of server_helpers.cpp, byte for byte.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "client_helpers.hpp"
#include "server_helpers.hpp"
#include "support/certs.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "wire/http/client.hpp"
#include "wire/http/server.hpp"
#include "wire/io/loop.hpp"
#include "wire/net/address.hpp"
#include "wire/tls/stream.hpp"

namespace {

namespace http = wire::http;
namespace io = wire::io;
using namespace std::chrono_literals;
using http::Router;
using http::RouteOptions;
using http::ServerLimits;
using http::ServerRequest;
using http::ServerResponse;
using wire::test::Background;
using wire::test::wait_until;
using wire::test::http::End;
using wire::test::http::error_body;
using wire::test::http::get;
using wire::test::http::is_response;
using wire::test::http::RawClient;
using wire::test::http::RawResponse;
using wire::test::http::request;
using wire::test::http::Sha256;
using wire::test::http::Tail;
using wire::test::http::TestServer;
using Clock = std::chrono::steady_clock;

ServerResponse say(std::string text) { return ServerResponse::text(std::move(text)); }

// A route answering its own text, for routers under test.
auto answer(std::string text) {
  return [text](ServerRequest&) { return ServerResponse::text(text); };
}

// What a server answers to `target`, on a fresh connection.
RawResponse fetch(const TestServer& server, std::string_view target, std::string_view fields = "") {
  RawClient c(server.port());
  return c.roundtrip(get(target, fields));
}

// --- the router ------------------------------------------------------------------------------

TEST(HttpServerRouter, LiteralRoutesAnswerExactly) {
  Router r;
  r.get("/", answer("root"));
  r.get("/a", answer("a"));
  r.get("/a/b", answer("a/b"));
  TestServer server(std::move(r));
  RawClient c(server.port());

  RawResponse res = c.roundtrip(get("/"));
  ASSERT_TRUE(is_response(res, 200));
  // The whole response, byte for byte: the handler's field, Server, Date, Content-Length.
  EXPECT_EQ(res.raw, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nServer: wire\r\nDate: " +
                         *res.header("Date") + "\r\nContent-Length: 4\r\n\r\nroot");
  EXPECT_EQ(c.roundtrip(get("/a")).body, "a");
  EXPECT_EQ(c.roundtrip(get("/a/b")).body, "a/b");
  for (const char* miss : {"/a/", "/a/b/", "/a/b/c", "/b", "/A"}) {
    RawResponse r404 = c.roundtrip(get(miss));
    EXPECT_TRUE(is_response(r404, 404)) << miss;
    EXPECT_EQ(r404.body, error_body(404)) << miss;
  }
  EXPECT_TRUE(c.still_open());
}

TEST(HttpServerRouter, ParametersAreDecoded) {
  Router r;
  r.get("/users/{id}", [](ServerRequest& q) { return say("user " + std::string(q.param("id"))); });
  r.get("/users/{id}/posts/{post}", [](ServerRequest& q) {
    return say(std::string(q.param("id")) + "|" + std::string(q.param("post")) + "|" + std::string(q.param("none")) +
               "|");
  });
  TestServer server(std::move(r));
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(get("/users/7")).body, "user 7");
  EXPECT_EQ(c.roundtrip(get("/users/a%20b")).body, "user a b");
  EXPECT_EQ(c.roundtrip(get("/users/%2F%3f%25")).body, "user /?%");
  EXPECT_EQ(c.roundtrip(get("/users/caf%C3%A9")).body, "user caf\xC3\xA9");
  EXPECT_EQ(c.roundtrip(get("/users/7/posts/x%3Fy")).body, "7|x?y||");
  // An empty segment is no parameter.
  EXPECT_EQ(c.roundtrip(get("/users/")).status, 404);
  EXPECT_EQ(c.roundtrip(get("/users//posts/1")).status, 404);
  // A malformed escape is the client's fault.
  RawClient bad(server.port());
  RawResponse res = bad.roundtrip(get("/users/%zz"));
  EXPECT_TRUE(is_response(res, 400));
  EXPECT_EQ(res.body, error_body(400));
}

TEST(HttpServerRouter, RestParameterTakesTheRemainingPath) {
  Router r;
  r.get("/files/{rest...}", [](ServerRequest& q) { return say("[" + std::string(q.param("rest")) + "]"); });
  r.get("/{a}/x/{tail...}", [](ServerRequest& q) {
    return say(std::string(q.param("a")) + "+" + std::string(q.param("tail")));
  });
  TestServer server(std::move(r));
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(get("/files/a")).body, "[a]");
  EXPECT_EQ(c.roundtrip(get("/files/a/b/c.txt")).body, "[a/b/c.txt]");
  EXPECT_EQ(c.roundtrip(get("/files/a%20b/c%2Fd")).body, "[a b/c/d]");
  EXPECT_EQ(c.roundtrip(get("/files/")).body, "[]");
  EXPECT_EQ(c.roundtrip(get("/files/a?q=1")).body, "[a]");
  EXPECT_EQ(c.roundtrip(get("/one/x/two/three")).body, "one+two/three");
}

TEST(HttpServerRouter, LiteralSegmentsMatchTheDecodedPath) {
  Router r;
  r.get("/hello world", answer("spaced"));
  r.get("/hello/world", answer("two segments"));
  TestServer server(std::move(r));
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(get("/hello%20world")).body, "spaced");
  EXPECT_EQ(c.roundtrip(get("/%68ello%20world")).body, "spaced");
  EXPECT_EQ(c.roundtrip(get("/hello/world")).body, "two segments");
  EXPECT_EQ(c.roundtrip(get("/hell%6F/%77orld")).body, "two segments");
  // An encoded slash is part of a segment, not a separator.
  EXPECT_EQ(c.roundtrip(get("/hello%2Fworld")).status, 404);
}

TEST(HttpServerRouter, NotFoundIsAPlainPageAndKeepsTheConnection) {
  Router r;
  r.get("/here", answer("here"));
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/nowhere"));
  ASSERT_TRUE(is_response(res, 404));
  EXPECT_EQ(res.status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(res.body, "404 Not Found\n");
  EXPECT_EQ(res.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.count("Connection"), 0u);
  EXPECT_EQ(c.roundtrip(get("/here")).body, "here");
}

TEST(HttpServerRouter, MethodNotAllowedListsAllow) {
  Router r;
  r.get("/r", answer("get"));
  r.post("/r", answer("post"));
  r.del("/r/{x}", answer("del"));
  r.put("/other", answer("put"));
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip(request("PUT", "/r", "x"));
  ASSERT_TRUE(is_response(res, 405));
  EXPECT_EQ(res.body, error_body(405));
  EXPECT_EQ(res.header("Allow"), "GET, HEAD, POST, OPTIONS");
  res = c.roundtrip(get("/r/7"));
  ASSERT_TRUE(is_response(res, 405));
  EXPECT_EQ(res.header("Allow"), "DELETE, OPTIONS");
  res = c.roundtrip(request("DELETE", "/other", ""));
  ASSERT_TRUE(is_response(res, 405));
  EXPECT_EQ(res.header("Allow"), "PUT, OPTIONS");
  // The connection carries on.
  EXPECT_EQ(c.roundtrip(request("POST", "/r", "")).body, "post");
}

TEST(HttpServerRouter, OptionsIsAnsweredWithAllow) {
  Router r;
  r.get("/r", answer("get"));
  r.patch("/r", answer("patch"));
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip("OPTIONS /r HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(is_response(res, 204));
  EXPECT_EQ(res.status_line, "HTTP/1.1 204 No Content");
  EXPECT_EQ(res.header("Allow"), "GET, HEAD, PATCH, OPTIONS");
  EXPECT_EQ(res.body, "");
  // OPTIONS on a path nobody serves is a 404.
  res = c.roundtrip("OPTIONS /none HTTP/1.1\r\nHost: test\r\n\r\n");
  EXPECT_TRUE(is_response(res, 404));
  // "OPTIONS *" asks about the server: 204 with every method some route takes, no body, and
  // the connection goes on.
  res = c.roundtrip("OPTIONS * HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(is_response(res, 204));
  EXPECT_EQ(res.header("Allow"), "GET, HEAD, PATCH, OPTIONS");
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(c.roundtrip(get("/r")).body, "get");
}

TEST(HttpServerRouter, HeadAnswersTheGetHeadersWithoutBody) {
  std::atomic<int> calls{0};
  Router r;
  r.get("/h", [&](ServerRequest& q) {
    ++calls;
    ServerResponse res = say("hello head");
    res.headers.add("X-Method", q.method());
    return res;
  });
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse head = c.roundtrip("HEAD /h HTTP/1.1\r\nHost: test\r\n\r\n", true);
  ASSERT_TRUE(is_response(head, 200));
  EXPECT_EQ(head.header("Content-Length"), "10");  // the GET's length
  EXPECT_EQ(head.header("X-Method"), "HEAD");
  EXPECT_EQ(head.body, "");
  // Had a body followed, this response would be read from it and fail.
  RawResponse full = c.roundtrip(get("/h"));
  ASSERT_TRUE(is_response(full, 200));
  EXPECT_EQ(full.body, "hello head");
  EXPECT_EQ(calls.load(), 2);
  EXPECT_TRUE(c.still_open());
}

TEST(HttpServerRouter, BeforeHookShortCircuits) {
  std::atomic<int> calls{0};
  Router r;
  r.before([](ServerRequest& q) -> std::optional<ServerResponse> {
    if (q.headers().get("Authorization") == std::optional<std::string_view>("Bearer ok")) return std::nullopt;
    ServerResponse res = ServerResponse::error(401);
    res.headers.add("WWW-Authenticate", "Bearer");
    return res;
  });
  r.get("/private", [&](ServerRequest&) {
    ++calls;
    return say("secret");
  });
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/private"));
  ASSERT_TRUE(is_response(res, 401));
  EXPECT_EQ(res.body, "401 Unauthorized\n");
  EXPECT_EQ(res.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(calls.load(), 0);
  res = c.roundtrip(get("/private", "Authorization: Bearer ok\r\n"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "secret");
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerRouter, AfterHookSeesEveryResponse) {
  Router r;
  r.after([](const ServerRequest& q, ServerResponse& res) {
    res.headers.add("X-After", std::to_string(res.status) + " " + q.method());
  });
  r.get("/ok", answer("ok"));
  r.get("/throws", [](ServerRequest&) -> ServerResponse { throw std::runtime_error("boom"); });
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/ok"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.header("X-After"), "200 GET");
  res = c.roundtrip(get("/missing"));
  ASSERT_TRUE(is_response(res, 404));
  EXPECT_EQ(res.header("X-After"), "404 GET");
  res = c.roundtrip(request("POST", "/ok", "x"));
  ASSERT_TRUE(is_response(res, 405));
  EXPECT_EQ(res.header("X-After"), "405 POST");
  res = c.roundtrip(get("/throws"));
  ASSERT_TRUE(is_response(res, 500));
  EXPECT_EQ(res.header("X-After"), "500 GET");
  res = c.roundtrip("OPTIONS /ok HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(is_response(res, 204));
  EXPECT_EQ(res.header("X-After"), "204 OPTIONS");
}

TEST(HttpServerRouter, ThrowingHandlerIs500AndTheConnectionGoesOn) {
  Router r;
  r.get("/throws", [](ServerRequest&) -> ServerResponse { throw std::runtime_error("handler failure"); });
  r.get("/async-throws", [](ServerRequest&) -> io::Task<ServerResponse> {
    co_await io::sleep_for(1ms);
    throw std::logic_error("async handler failure");
  });
  r.get("/ok", answer("ok"));
  TestServer server(std::move(r));
  RawClient c(server.port());
  for (const char* target : {"/throws", "/async-throws"}) {
    RawResponse res = c.roundtrip(get(target));
    ASSERT_TRUE(is_response(res, 500)) << target;
    EXPECT_EQ(res.body, "500 Internal Server Error\n");
    EXPECT_EQ(res.count("Connection"), 0u);
    EXPECT_EQ(res.raw.find("failure"), std::string::npos) << "the exception's text leaked";
    EXPECT_EQ(c.roundtrip(get("/ok")).body, "ok");
  }
}

TEST(HttpServerRouter, InvalidResponseFieldsAre500WithoutInjection) {
  Router r;
  r.get("/crlf-value", [](ServerRequest&) {
    ServerResponse res = say("body");
    res.headers.add("X-Bad", "a\r\nInjected: yes");
    return res;
  });
  r.get("/lf-value", [](ServerRequest&) {
    ServerResponse res = say("body");
    res.headers.add("X-Bad", "a\nInjected: yes");
    return res;
  });
  r.get("/nul-value", [](ServerRequest&) {
    ServerResponse res = say("body");
    res.headers.add("X-Bad", std::string_view("a\0b", 3));
    return res;
  });
  r.get("/bad-name", [](ServerRequest&) {
    ServerResponse res = say("body");
    res.headers.add("Bad Name:", "x");
    return res;
  });
  r.get("/bad-reason", [](ServerRequest&) {
    ServerResponse res = say("body");
    res.reason = "OK\r\nInjected: yes";
    return res;
  });
  r.get("/ok", answer("ok"));
  TestServer server(std::move(r));
  RawClient c(server.port());
  for (const char* target : {"/crlf-value", "/lf-value", "/nul-value", "/bad-name", "/bad-reason"}) {
    RawResponse res = c.roundtrip(get(target));
    ASSERT_TRUE(is_response(res, 500)) << target;
    EXPECT_EQ(res.body, "500 Internal Server Error\n") << target;
    EXPECT_EQ(res.count("Injected"), 0u) << target;
    EXPECT_EQ(res.count("X-Bad"), 0u) << target;
    EXPECT_EQ(res.raw.find("Injected"), std::string::npos) << target;
  }
  EXPECT_EQ(c.roundtrip(get("/ok")).body, "ok");
}

TEST(HttpServerRouter, AsyncHandlerAwaitsWithoutBlockingTheWorker) {
  Router r;
  r.get("/slow", [](ServerRequest&) -> io::Task<ServerResponse> {
    co_await io::sleep_for(400ms);
    co_return ServerResponse::text("slept");
  });
  r.get("/fast", answer("fast"));
  TestServer server(std::move(r));  // one worker: both connections share its loop
  RawClient slow(server.port());
  auto t0 = Clock::now();
  slow.send(get("/slow"));
  // While /slow sleeps on the worker, /fast on another connection is answered.
  RawClient fast(server.port());
  RawResponse f = fast.roundtrip(get("/fast"));
  auto fast_done = Clock::now() - t0;
  EXPECT_EQ(f.body, "fast");
  EXPECT_LT(fast_done, 350ms);
  RawResponse s = slow.read_response();
  auto slow_done = Clock::now() - t0;
  ASSERT_TRUE(is_response(s, 200));
  EXPECT_EQ(s.body, "slept");
  EXPECT_GE(slow_done, 400ms);
  EXPECT_LT(slow_done, 5s);
}

TEST(HttpServerRouter, QueryParametersAreDecoded) {
  Router r;
  r.get("/q", [](ServerRequest& q) {
    std::string out = std::string(q.query()) + "\n";
    for (const char* name : {"a", "b", "c", "d", "e", "z", "&", "missing"}) {
      auto v = q.query_param(name);
      out += std::string(name) + "=" + (v ? "[" + *v + "]" : "none") + "\n";
    }
    return say(out);
  });
  TestServer server(std::move(r));
  RawResponse res = fetch(server, "/q?a=1&b=x%20y&c=a+b&d=&e&%7A=z%26&%26=amp");
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body,
            "a=1&b=x%20y&c=a+b&d=&e&%7A=z%26&%26=amp\n"
            "a=[1]\nb=[x y]\nc=[a b]\nd=[]\ne=[]\nz=[z&]\n&=[amp]\nmissing=none\n");
  res = fetch(server, "/q");
  EXPECT_EQ(res.body, "\na=none\nb=none\nc=none\nd=none\ne=none\nz=none\n&=none\nmissing=none\n");
}

TEST(HttpServerRouter, PeerIsTheSocketAddress) {
  Router r;
  r.get("/peer", [](ServerRequest& q) { return say(q.peer().to_string()); });
  TestServer server(std::move(r));
  RawClient c(server.port());
  std::string me = c.socket().local_address().to_string();
  EXPECT_EQ(c.roundtrip(get("/peer")).body, me);
  EXPECT_EQ(c.roundtrip(get("/peer", "X-Forwarded-For: 203.0.113.9\r\nX-Real-IP: 203.0.113.9\r\n"
                                     "Forwarded: for=203.0.113.9\r\n"))
                .body,
            me);
  // Another loopback address is another peer.
  RawClient other(server.port(), 10s, "127.0.0.2");
  std::string them = other.socket().local_address().to_string();
  ASSERT_EQ(them.rfind("127.0.0.2:", 0), 0u) << them;
  EXPECT_EQ(other.roundtrip(get("/peer")).body, them);
}

TEST(HttpServerRouter, AbsoluteFormIsRoutedByItsPath) {
  Router r;
  r.get("/abs/{id}", [](ServerRequest& q) {
    return say(std::string(q.param("id")) + " " + std::string(q.path()) + " " + std::string(q.query()) + " " +
               q.target());
  });
  r.get("/", answer("root"));
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip("GET http://example.com/abs/7?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "7 /abs/7 x=1 http://example.com/abs/7?x=1");
  res = c.roundtrip("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n");
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "root");
}

// --- HTTP/1.1 --------------------------------------------------------------------------------

Router echo_router() {
  Router r;
  r.get("/echo/{n}", [](ServerRequest& q) { return say(std::string(q.param("n"))); });
  r.post("/body", [](ServerRequest& q) {
    std::string info = q.content_length() ? std::to_string(*q.content_length()) : std::string("none");
    return say(info + (q.has_body() ? " has " : " no ") + q.body);
  });
  return r;
}

TEST(HttpServerHttp11, KeepAliveCarriesManyRequests) {
  TestServer server(echo_router());
  RawClient c(server.port());
  for (int i = 0; i < 10; ++i) {
    RawResponse res = c.roundtrip(get("/echo/" + std::to_string(i)));
    ASSERT_TRUE(is_response(res, 200));
    EXPECT_EQ(res.body, std::to_string(i));
    EXPECT_EQ(res.count("Connection"), 0u);  // HTTP/1.1 keeps alive without saying so
  }
  EXPECT_TRUE(c.still_open(200ms));
  EXPECT_EQ(server.server().connections(), 1u);
}

TEST(HttpServerHttp11, Http10ClosesUnlessKeepAlive) {
  TestServer server(echo_router());
  {
    RawClient c(server.port());
    RawResponse res = c.roundtrip("GET /echo/10 HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(is_response(res, 200));
    EXPECT_EQ(res.status_line, "HTTP/1.1 200 OK");
    EXPECT_EQ(res.body, "10");
    EXPECT_EQ(res.header("Connection"), "close");
    Tail t = c.tail();
    EXPECT_EQ(t.end, End::eof);
    EXPECT_EQ(t.data, "");
  }
  {
    RawClient c(server.port());
    for (int i = 0; i < 3; ++i) {
      RawResponse res = c.roundtrip("GET /echo/" + std::to_string(i) + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      ASSERT_TRUE(is_response(res, 200));
      EXPECT_EQ(res.body, std::to_string(i));
      EXPECT_EQ(res.header("Connection"), "keep-alive");
    }
    EXPECT_TRUE(c.still_open());
    // The last request without keep-alive ends it.
    RawResponse res = c.roundtrip("GET /echo/last HTTP/1.0\r\n\r\n");
    EXPECT_EQ(res.header("Connection"), "close");
    EXPECT_EQ(c.tail().end, End::eof);
  }
}

TEST(HttpServerHttp11, ConnectionCloseIsHonoured) {
  TestServer server(echo_router());
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(get("/echo/1")).body, "1");
  RawResponse res = c.roundtrip(get("/echo/2", "Connection: close\r\n"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "2");
  EXPECT_EQ(res.header("Connection"), "close");
  Tail t = c.tail();
  EXPECT_EQ(t.end, End::eof);
  EXPECT_EQ(t.data, "");
}

TEST(HttpServerHttp11, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server(echo_router());
  RawClient c(server.port());
  std::string all;
  for (int i = 0; i < 20; ++i) all += get("/echo/" + std::to_string(i));
  c.send(all);  // one write
  for (int i = 0; i < 20; ++i) {
    RawResponse res = c.read_response();
    ASSERT_TRUE(is_response(res, 200)) << i;
    EXPECT_EQ(res.body, std::to_string(i));
  }
  EXPECT_TRUE(c.still_open());
  // Pipelined with a close in the middle: what follows it is never answered.
  RawClient d(server.port());
  d.send(get("/echo/a") + get("/echo/b", "Connection: close\r\n") + get("/echo/c"));
  EXPECT_EQ(d.read_response().body, "a");
  RawResponse b = d.read_response();
  EXPECT_EQ(b.body, "b");
  EXPECT_EQ(b.header("Connection"), "close");
  Tail t = d.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_NE(t.end, End::timeout);
}

TEST(HttpServerHttp11, ContentLengthIsExactForLargeBodies) {
  const std::string big = wire::test::random_string(100'000, 3);  // beyond the inline-body size
  Router r;
  r.get("/big", [&](ServerRequest&) { return say(big); });
  r.get("/empty", answer(""));
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/big"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.header("Content-Length"), "100000");
  EXPECT_TRUE(res.body == big);
  res = c.roundtrip(get("/empty"));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.header("Content-Length"), "0");
  EXPECT_EQ(res.body, "");
}

TEST(HttpServerHttp11, ChunkedRequestBodyIsReadWhole) {
  TestServer server(echo_router());
  RawClient c(server.port());
  c.send("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
  c.send("5\r\nhello\r\n");
  c.send("1;name=value\r\n \r\n");
  c.send("6\r\nwor");
  c.send("ld!\r\n");
  c.send("0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n");
  RawResponse res = c.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "none has hello world!");
  // Chunk sizes in upper and lower case, and the next request right behind.
  c.send("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n" +
         get("/echo/next"));
  EXPECT_EQ(c.read_response().body, "none has 0123456789abcdefghij");
  EXPECT_EQ(c.read_response().body, "next");
  // A Content-Length body for comparison.
  EXPECT_EQ(c.roundtrip(request("POST", "/body", "abc")).body, "3 has abc");
  EXPECT_EQ(c.roundtrip(request("POST", "/body", "")).body, "0 no ");
}

TEST(HttpServerHttp11, ExpectContinueAsksForTheBody) {
  TestServer server(echo_router());
  RawClient c(server.port());
  c.send("POST /body HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
  RawResponse cont = c.read_response();
  EXPECT_EQ(cont.raw, "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("hello world");
  RawResponse res = c.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "11 has hello world");
  EXPECT_EQ(res.count("Connection"), 0u);
  // The same for a chunked body, and the connection goes on.
  c.send("POST /body HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(c.read_response().raw, "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "none has abc");
  EXPECT_EQ(c.roundtrip(get("/echo/after")).body, "after");
}

TEST(HttpServerHttp11, ExpectContinueToAMissingRouteGetsTheFinalAnswer) {
  TestServer server(echo_router());
  RawClient c(server.port());
  c.send("POST /nowhere HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  RawResponse res = c.read_response();  // no 100 first
  ASSERT_TRUE(is_response(res, 404));
  EXPECT_EQ(res.body, error_body(404));
  EXPECT_EQ(res.header("Connection"), "close");
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_EQ(t.end, End::eof);
}

TEST(HttpServerHttp11, UnknownExpectationIs417) {
  std::atomic<int> calls{0};
  Router r;
  r.post("/body", [&](ServerRequest&) {
    ++calls;
    return say("handled");
  });
  TestServer server(std::move(r));
  RawClient c(server.port());
  RawResponse res = c.roundtrip(request("POST", "/body", "abc", "Expect: something-else\r\n"));
  ASSERT_TRUE(is_response(res, 417));
  EXPECT_EQ(res.body, error_body(417));
  EXPECT_EQ(res.header("Connection"), "close");
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_EQ(t.end, End::eof);
  EXPECT_EQ(calls.load(), 0);
}

Router streaming_router() {
  Router r;
  r.get("/stream", [](ServerRequest&) {
    return ServerResponse::streamed("text/plain", [](http::BodyWriter& w) -> io::Task<void> {
      co_await w.write(std::string_view("first,"));
      co_await w.write(std::string_view(""));  // sends nothing
      co_await w.write(std::string(10'000, 'x'));
      co_await io::sleep_for(10ms);
      co_await w.write(std::string_view("last"));
    });
  });
  r.get("/echo/{n}", [](ServerRequest& q) { return say(std::string(q.param("n"))); });
  return r;
}

TEST(HttpServerHttp11, StreamedResponseIsChunked) {
  TestServer server(streaming_router());
  RawClient c(server.port());
  RawResponse res = c.roundtrip(get("/stream"));
  ASSERT_TRUE(is_response(res, 200));
  ASSERT_TRUE(res.chunked);
  const std::string expected = "first," + std::string(10'000, 'x') + "last";
  EXPECT_EQ(res.body, expected);
  // The framing exactly: one chunk per write, none for the empty one.
  auto body_at = res.raw.find("\r\n\r\n") + 4;
  EXPECT_EQ(res.raw.substr(body_at), "6\r\nfirst,\r\n2710\r\n" + std::string(10'000, 'x') + "\r\n4\r\nlast\r\n0\r\n\r\n");
  EXPECT_EQ(res.count("Connection"), 0u);
  EXPECT_EQ(c.roundtrip(get("/echo/next")).body, "next");
}

TEST(HttpServerHttp11, StreamedResponseToHttp10EndsWithTheClose) {
  TestServer server(streaming_router());
  RawClient c(server.port());
  RawResponse res = c.roundtrip("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_TRUE(res.until_close);
  EXPECT_EQ(res.header("Connection"), "close");
  EXPECT_EQ(res.body, "first," + std::string(10'000, 'x') + "last");
}

// A route that reads its body as a stream and answers "<bytes> <sha256>".
Router upload_router(std::atomic<int>& secret_calls) {
  Router r;
  RouteOptions streamed;
  streamed.stream_body = true;
  streamed.max_body = std::uint64_t(128) << 20;
  r.post("/upload", [](ServerRequest& q) -> io::Task<ServerResponse> {
    Sha256 sha;
    std::vector<std::byte> buffer(100'000);
    std::uint64_t total = 0;
    for (;;) {
      std::size_t n = co_await q.read_body(buffer);
      if (n == 0) break;
      sha.update(std::span<const std::byte>(buffer.data(), n));
      total += n;
    }
    co_return ServerResponse::text(std::to_string(total) + " " + sha.hex());
  }, streamed);
  // Reads nothing of its body.
  r.post("/ignore", [](ServerRequest&) { return ServerResponse::text("ignored"); }, streamed);
  r.get("/secret", [&secret_calls](ServerRequest&) {
    ++secret_calls;
    return ServerResponse::text("secret");
  });
  r.get("/echo/{n}", [](ServerRequest& q) { return say(std::string(q.param("n"))); });
  return r;
}

TEST(HttpServerHttp11, StreamedUploadOf64MiB) {
  std::atomic<int> secret{0};
  TestServer server(upload_router(secret));
  RawClient c(server.port(), 60s);
  constexpr std::size_t kPiece = 1 << 20;
  constexpr std::size_t kPieces = 64;
  c.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(kPiece * kPieces) + "\r\n\r\n");
  Sha256 sha;
  for (std::size_t i = 0; i < kPieces; ++i) {
    std::string piece = wire::test::random_string(kPiece, 1000 + i);
    sha.update(piece);
    c.send(piece);
  }
  RawResponse res = c.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, std::to_string(kPiece * kPieces) + " " + sha.hex());
  EXPECT_EQ(c.roundtrip(get("/echo/after")).body, "after");
}

TEST(HttpServerHttp11, StreamedChunkedUpload) {
  std::atomic<int> secret{0};
  TestServer server(upload_router(secret));
  RawClient c(server.port(), 30s);
  c.send("POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
  Sha256 sha;
  std::size_t total = 0;
  for (std::size_t i = 0; i < 40; ++i) {
    std::string piece = wire::test::random_string(1000 + i * 7919, 77 + i);  // uneven sizes
    sha.update(piece);
    total += piece.size();
    char head[32];
    std::snprintf(head, sizeof head, "%zx\r\n", piece.size());
    c.send(head + piece + "\r\n");
  }
  c.send("0\r\n\r\n");
  RawResponse res = c.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, std::to_string(total) + " " + sha.hex());
}

TEST(HttpServerHttp11, UnreadSmallBodyIsDrained) {
  std::atomic<int> secret{0};
  TestServer server(upload_router(secret));
  RawClient c(server.port());
  // The body looks like a request: it must be dropped, not parsed.
  std::string body = get("/secret") + std::string(1000, 'z');
  c.send(request("POST", "/ignore", body) + get("/echo/next"));
  RawResponse res = c.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "ignored");
  EXPECT_EQ(res.count("Connection"), 0u);
  EXPECT_EQ(c.read_response().body, "next");
  // Chunked, too.
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", get("/secret").size());
  c.send("POST /ignore HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size) +
         get("/secret") + "\r\n0\r\n\r\n" + get("/echo/again"));
  EXPECT_EQ(c.read_response().body, "ignored");
  EXPECT_EQ(c.read_response().body, "again");
  EXPECT_TRUE(c.still_open());
  EXPECT_EQ(secret.load(), 0);
}

TEST(HttpServerHttp11, UnreadLargeBodyClosesTheConnection) {
  std::atomic<int> secret{0};
  ServerLimits limits;
  limits.max_drain = 1024;
  TestServer server(upload_router(secret), limits);
  std::string inner;
  for (int i = 0; i < 2000; ++i) inner += get("/secret");  // ~56 KB of requests
  RawClient c(server.port());
  c.send("POST /ignore HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(inner.size()) + "\r\n\r\n");
  Background sender([&] { c.send_quietly(inner); });  // the server may close before it has all
  RawResponse res = c.read_response();
  sender.join();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "ignored");
  EXPECT_EQ(res.header("Connection"), "close");
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_NE(t.end, End::timeout);
  EXPECT_EQ(secret.load(), 0);
}

TEST(HttpServerHttp11, UnreadLargeChunkedBodyClosesTheConnection) {
  std::atomic<int> secret{0};
  ServerLimits limits;
  limits.max_drain = 1024;
  TestServer server(upload_router(secret), limits);
  std::string inner;
  for (int i = 0; i < 2000; ++i) inner += get("/secret");
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", inner.size());
  RawClient c(server.port());
  c.send("POST /ignore HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
  Background sender([&] { c.send_quietly(size + inner + "\r\n0\r\n\r\n"); });
  RawResponse res = c.read_response();
  sender.join();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "ignored");
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_NE(t.end, End::timeout);
  EXPECT_EQ(secret.load(), 0);
}

// When the server closes on a body it did not read, it must not reset the connection: a reset
// can destroy the response before the client has read it (the reason refuse() lingers). Here
// the whole request is in the server's socket before it answers, so a close without lingering
// is a reset every time.
TEST(HttpServerHttp11, UnreadLargeBodyIsClosedWithoutReset) {
  std::atomic<int> secret{0};
  ServerLimits limits;
  limits.max_drain = 1024;
  TestServer server(upload_router(secret), limits);
  std::string inner;
  for (int i = 0; i < 2000; ++i) inner += get("/secret");
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", inner.size());
  const std::string requests[] = {
      "POST /ignore HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(inner.size()) + "\r\n\r\n" + inner,
      "POST /ignore HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size) + inner +
          "\r\n0\r\n\r\n",
  };
  for (const auto& req : requests) {
    RawClient c(server.port());
    c.send(req);  // whole, before the answer
    RawResponse res = c.read_response();
    ASSERT_TRUE(is_response(res, 200));
    EXPECT_EQ(res.body, "ignored");
    Tail t = c.tail();
    EXPECT_EQ(t.data, "");
    EXPECT_EQ(t.end, End::eof) << (req.find("chunked") != std::string::npos ? "chunked" : "Content-Length");
  }
  EXPECT_EQ(secret.load(), 0);
}

// --- TLS -------------------------------------------------------------------------------------

Router tls_router() {
  Router r;
  r.get("/hello", [](ServerRequest& q) { return say(std::string("hello over ") + (q.is_tls() ? "tls" : "plain")); });
  r.get("/echo/{n}", [](ServerRequest& q) { return say(std::string(q.param("n"))); });
  return r;
}

http::ServerOptions tls_options(const wire::test::TestPki& pki) {
  http::ServerOptions o = wire::test::http::server_options();
  o.tls = pki.server_context();
  return o;
}

// Reads Content-Length responses off a TLS stream, keeping what arrives past one for the next.
class TlsReader {
 public:
  explicit TlsReader(wire::tls::Stream& s) : s_(s) {}
  // The head of the next response; its body in `body`.
  std::string next(std::string& body) {
    for (int i = 0; i < 1000 && data_.find("\r\n\r\n") == std::string::npos; ++i) more();
    auto end = data_.find("\r\n\r\n");
    if (end == std::string::npos) throw std::runtime_error("no response head in: " + data_);
    std::string head = data_.substr(0, end + 4);
    auto at = head.find("\r\nContent-Length: ");
    if (at == std::string::npos) throw std::runtime_error("no Content-Length: " + head);
    std::size_t length = std::stoul(head.substr(at + 18));
    for (int i = 0; i < 1000 && data_.size() < head.size() + length; ++i) more();
    if (data_.size() < head.size() + length) throw std::runtime_error("a short body: " + data_);
    body = data_.substr(head.size(), length);
    data_.erase(0, head.size() + length);
    return head;
  }
  const std::string& buffered() const { return data_; }

 private:
  void more() {
    std::string got = s_.recv(16384);
    if (got.empty()) throw std::runtime_error("the TLS peer closed inside a response: " + data_);
    data_ += got;
  }
  wire::tls::Stream& s_;
  std::string data_;
};

TEST(HttpServerTls, ClientGetsOverVerifiedTls) {
  wire::test::TestPki pki;
  TestServer server(tls_router(), tls_options(pki));
  EXPECT_EQ(server.server().url(), "https://127.0.0.1:" + std::to_string(server.port()) + "/");
  http::ClientOptions o;
  o.connection.tls = pki.client_context();
  o.connection.io_timeout = 10s;
  http::Client client(o);
  http::Reply reply = client.get(server.server().url() + "hello");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "hello over tls");
  EXPECT_EQ(reply.headers.get("Server"), std::optional<std::string_view>("wire"));
  reply = client.get(server.server().url() + "missing");
  EXPECT_EQ(reply.status, 404);
}

TEST(HttpServerTls, AlpnAndKeepAlive) {
  wire::test::TestPki pki;
  TestServer server(tls_router(), tls_options(pki));
  wire::tls::Context ctx = pki.client_context();
  ctx.set_alpn({"http/1.1"});
  auto s = wire::tls::Stream::connect(ctx, "127.0.0.1", server.port(), 10s);
  EXPECT_EQ(s.alpn(), "http/1.1");
  TlsReader reader(s);
  for (int i = 0; i < 5; ++i) {
    s.send_all(get("/echo/" + std::to_string(i)));
    std::string body;
    std::string head = reader.next(body);
    EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
    EXPECT_EQ(head.find("Connection:"), std::string::npos) << head;
    EXPECT_EQ(body, std::to_string(i));
  }
  EXPECT_EQ(server.server().connections(), 1u);
  // Pipelined over TLS: both answered, in order.
  s.send_all(get("/echo/p1") + get("/echo/p2"));
  std::string body;
  reader.next(body);
  EXPECT_EQ(body, "p1");
  reader.next(body);
  EXPECT_EQ(body, "p2");
  EXPECT_EQ(reader.buffered(), "");
}

TEST(HttpServerTls, PlaintextRequestOnTheTlsPortGetsAPlain400) {
  wire::test::TestPki pki;
  std::atomic<int> calls{0};
  Router r;
  r.get("/", [&](ServerRequest&) {
    ++calls;
    return say("no");
  });
  TestServer server(std::move(r), tls_options(pki));
  RawClient c(server.port());
  c.send(get("/"));
  RawResponse res = c.read_response();
  // Told in plain HTTP, as nginx does, then closed; the handler never runs.
  ASSERT_TRUE(is_response(res, 400));
  EXPECT_EQ(res.body, "400 a plain HTTP request came to an HTTPS port\n");
  EXPECT_EQ(res.header("Connection"), "close");
  Tail t = c.tail();
  EXPECT_EQ(t.end, End::eof);
  EXPECT_EQ(t.data, "");
  EXPECT_EQ(calls.load(), 0);
  // Bytes that are neither TLS nor a method: closed without a byte.
  RawClient junk(server.port());
  junk.send("\x01\x02garbage\r\n\r\n");
  Tail j = junk.tail();
  EXPECT_EQ(j.end, End::eof);
  EXPECT_EQ(j.data, "");
  // And the port still speaks TLS.
  http::ClientOptions o;
  o.connection.tls = pki.client_context();
  http::Client client(o);
  EXPECT_EQ(client.get(server.server().url()).body, "no");
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTls, ConnectionsPerClientPastTheLimitGet503OverTls) {
  wire::test::TestPki pki;
  http::ServerOptions o = tls_options(pki);
  o.limits.max_connections_per_client = 1;
  TestServer server(tls_router(), std::move(o));
  wire::tls::Context ctx = pki.client_context();
  auto first = wire::tls::Stream::connect(ctx, "127.0.0.1", server.port(), 10s);
  first.send_all(get("/echo/1"));
  TlsReader reader(first);
  std::string body;
  reader.next(body);
  EXPECT_EQ(body, "1");
  auto second = wire::tls::Stream::connect(ctx, "127.0.0.1", server.port(), 10s);
  std::string got;
  for (int i = 0; i < 100; ++i) {
    std::string more;
    try {
      more = second.recv(16384);
    } catch (const std::system_error&) {
      break;  // closed without close_notify: what came before still counts
    }
    if (more.empty()) break;
    got += more;
  }
  // Every answer goes through the one response serializer: Server and Date as on any other.
  EXPECT_EQ(std::regex_replace(got, std::regex("Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} [0-9:]{8} GMT\r\n"), ""),
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Server: wire\r\nContent-Length: 34\r\nConnection: close\r\n\r\n503 too many connections from you\n");
}

// A file body over TLS goes through the server's read-and-encrypt path, not sendfile().
TEST(HttpServerTls, FileBodyArrivesWhole) {
  wire::test::TestPki pki;
  wire::test::TempDir dir;
  const std::string content = wire::test::random_string(8 << 20, 99);
  dir.write_file("f.bin", content);
  Router r;
  r.files("/", dir.path());
  TestServer server(std::move(r), tls_options(pki));
  http::ClientOptions o;
  o.connection.tls = pki.client_context();
  http::Client client(o);
  http::Reply reply = client.get(server.server().url() + "f.bin");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body.size(), content.size());
  EXPECT_EQ(wire::test::http::sha256_hex(reply.body), wire::test::http::sha256_hex(content));
  http::RequestOptions range;
  range.headers.add("Range", "bytes=1000000-1000009");
  reply = client.get(server.server().url() + "f.bin", range);
  EXPECT_EQ(reply.status, 206);
  EXPECT_EQ(reply.body, content.substr(1000000, 10));
}

// --- Upgrade requests the server declines --------------------------------------------------------
//
// A request with "Upgrade: websocket" (or h2c, as curl --http2 sends) and "Connection: Upgrade"
// is answered as HTTP/1.1 (no 101): the connection must go on as HTTP/1.1. These run in a child
// process (a death test): if a worker gets stuck, the child exits on its own deadline instead of
// hanging the suite in the server's shutdown.

constexpr int kStuck = 3;

Router upgrade_router() {
  Router r;
  r.get("/", answer("root"));
  r.get("/echo/{n}", [](ServerRequest& q) { return say(std::string(q.param("n"))); });
  return r;
}

const std::string kUpgrade =
    "GET / HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

[[noreturn]] void pipelined_after_upgrade() {
  auto* server = new TestServer(upgrade_router());  // never destroyed: a stuck worker must not block the exit
  try {
    RawClient c(server->port(), 3s);
    c.send(kUpgrade + get("/echo/after"));
    RawResponse first = c.read_response();
    if (first.status != 200 || first.body != "root") {
      std::fprintf(stderr, "the upgrade request got: %s\n", first.raw.c_str());
      std::_Exit(1);
    }
    RawResponse second = c.read_response();
    if (second.status != 200 || second.body != "after") {
      std::fprintf(stderr, "the next request got: %s\n", second.raw.c_str());
      std::_Exit(1);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stuck: %s\n", e.what());
    std::_Exit(kStuck);
  }
  std::_Exit(0);
}

[[noreturn]] void next_connection_after_upgrade() {
  auto* server = new TestServer(upgrade_router());  // one worker: connections share its spare buffers
  try {
    // The first connection stays open and idle after its upgrade request was answered, so the
    // next connection is served with the buffers (and parser) it gave back.
    RawClient c(server->port(), 3s);
    RawResponse first = c.roundtrip(kUpgrade);
    if (first.status != 200 || first.body != "root") std::_Exit(1);
    RawClient d(server->port(), 3s);
    RawResponse res = d.roundtrip(get("/echo/fresh"));
    if (res.status != 200 || res.body != "fresh") std::_Exit(1);
    // And the first connection goes on too.
    res = c.roundtrip(get("/echo/again"));
    if (res.status != 200 || res.body != "again") std::_Exit(1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stuck: %s\n", e.what());
    std::_Exit(kStuck);
  }
  std::_Exit(0);
}

TEST(HttpServerUpgradeDeathTest, DeclinedUpgradeThenPipelinedRequest) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(pipelined_after_upgrade(), testing::ExitedWithCode(0), "");
}

TEST(HttpServerUpgradeDeathTest, DeclinedUpgradeThenAnotherConnection) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(next_connection_after_upgrade(), testing::ExitedWithCode(0), "");
}

// --- the access log ------------------------------------------------------------------------------

struct LogLines {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mutex);
    return lines;
  }
  bool has(std::size_t n) { return get().size() >= n; }
};

TEST(HttpServerAccessLog, CommonLogFormat) {
  LogLines log;
  http::ServerOptions o = wire::test::http::server_options();
  o.access_log = log.sink();
  TestServer server(echo_router(), std::move(o));
  RawClient c(server.port());
  c.roundtrip(get("/echo/12345"));
  c.roundtrip(get("/missing"));
  c.roundtrip("HEAD /echo/1 HTTP/1.1\r\nHost: test\r\n\r\n", true);
  c.roundtrip(get("/echo/%22q%22"));
  ASSERT_TRUE(wait_until([&] { return log.has(4); }, 5s));
  auto lines = log.get();
  const std::string when = R"(\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\])";
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("127\\.0\\.0\\.1 - - " + when + R"( "GET /echo/12345 HTTP/1\.1" 200 5)")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex("127\\.0\\.0\\.1 - - " + when + R"( "GET /missing HTTP/1\.1" 404 14)")))
      << lines[1];
  EXPECT_TRUE(std::regex_match(lines[2], std::regex("127\\.0\\.0\\.1 - - " + when + R"( "HEAD /echo/1 HTTP/1\.1" 200 -)")))
      << lines[2];
  EXPECT_TRUE(std::regex_match(lines[3], std::regex("127\\.0\\.0\\.1 - - " + when + R"( "GET /echo/%22q%22 HTTP/1\.1" 200 3)")))
      << lines[3];
}

// A request refused before it could be parsed is logged too, with the client that sent it: the
// address is what an operator needs to act on malformed or slow traffic.
TEST(HttpServerAccessLog, RefusedRequestsNameTheClient) {
  LogLines log;
  http::ServerOptions o = wire::test::http::server_options();
  o.access_log = log.sink();
  o.limits.header_timeout = 300ms;
  TestServer server(echo_router(), std::move(o));
  {
    RawClient c(server.port());
    c.send("GET / HTTP/1.1\nHost: test\n\n");
    EXPECT_EQ(c.read_response().status, 400);
  }
  {
    RawClient c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: te");
    EXPECT_EQ(c.read_response().status, 408);
  }
  ASSERT_TRUE(wait_until([&] { return log.has(2); }, 5s));
  auto lines = log.get();
  EXPECT_EQ(lines[0].rfind("127.0.0.1 - - [", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("\" 400 16"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].rfind("127.0.0.1 - - [", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("\" 408 20"), std::string::npos) << lines[1];
}

// --- load and back-pressure ----------------------------------------------------------------------

TEST(HttpServerLoad, ManyKeepAliveClientsOnTwoWorkers) {
  Router r = echo_router();
  TestServer server(std::move(r), ServerLimits{}, 2);
  constexpr int kClients = 16;
  constexpr int kRequests = 100;
  std::atomic<int> good{0};
  std::vector<std::unique_ptr<Background>> clients;
  for (int k = 0; k < kClients; ++k) {
    clients.push_back(std::make_unique<Background>([&, k] {
      RawClient c(server.port(), 10s);
      for (int i = 0; i < kRequests; ++i) {
        std::string tag = std::to_string(k) + "-" + std::to_string(i);
        if (i % 10 == 9) {
          // Now and then a body, and a pipelined pair.
          c.send(request("POST", "/body", tag) + get("/echo/" + tag));
          if (c.read_response().body != std::to_string(tag.size()) + " has " + tag) return;
          if (c.read_response().body != tag) return;
        } else if (c.roundtrip(get("/echo/" + tag)).body != tag) {
          return;
        }
        ++good;
      }
    }));
  }
  for (auto& c : clients) c->join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

TEST(HttpServerLoad, MaxConnectionsQueuesTheRestInTheBacklog) {
  ServerLimits limits;
  limits.max_connections = 2;
  TestServer server(echo_router(), limits);  // one worker: its share is all 2
  auto a = std::make_unique<RawClient>(server.port());
  RawClient b(server.port());
  EXPECT_EQ(a->roundtrip(get("/echo/a")).body, "a");
  EXPECT_EQ(b.roundtrip(get("/echo/b")).body, "b");
  RawClient c(server.port());  // the kernel completes the handshake; the server does not accept yet
  c.send(get("/echo/c"));
  EXPECT_TRUE(c.still_open(300ms));
  EXPECT_EQ(server.server().connections(), 2u);
  a.reset();
  RawResponse res = c.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "c");
}

TEST(HttpServerLoad, ClientThatStopsReadingIsCutAfterWriteTimeout) {
  const std::string big(64 << 20, 'w');
  Router r;
  r.get("/big", [&](ServerRequest&) { return say(big); });
  ServerLimits limits;
  limits.write_timeout = 300ms;
  TestServer server(std::move(r), limits);
  RawClient c(server.port());
  c.socket().set_receive_buffer_size(64 * 1024);
  c.send(get("/big"));
  ASSERT_TRUE(wait_until([&] { return server.server().connections() == 1; }, 5s));
  auto t0 = Clock::now();
  // Never reads: the server's write stalls, and the connection is closed.
  EXPECT_TRUE(wait_until([&] { return server.server().connections() == 0; }, 5s));
  EXPECT_LT(Clock::now() - t0, 3s);
}

// --- graceful shutdown -------------------------------------------------------------------------

TEST(HttpServerShutdown, InFlightFinishesIdleClosesNewRefused) {
  std::atomic<int> entered{0};
  Router r;
  r.get("/slow", [&](ServerRequest&) -> io::Task<ServerResponse> {
    ++entered;
    co_await io::sleep_for(300ms);
    co_return ServerResponse::text("finished");
  });
  r.get("/fast", answer("fast"));
  TestServer server(std::move(r), ServerLimits{}, 2);
  const auto address = wire::net::Address::ip("127.0.0.1", server.port());

  RawClient idle(server.port());  // keep-alive, idle when the shutdown starts
  ASSERT_EQ(idle.roundtrip(get("/fast")).body, "fast");
  RawClient busy(server.port());
  busy.send(get("/slow"));
  ASSERT_TRUE(wait_until([&] { return entered.load() == 1; }, 5s));

  wire::io::ShutdownReport report;
  Clock::duration took{};
  Background stopper([&] {
    auto t0 = Clock::now();
    report = server.server().shutdown(5s);
    took = Clock::now() - t0;
  });
  // The idle connection is closed at once, before the slow request ends.
  Tail t = idle.tail(250ms);
  EXPECT_EQ(t.end, End::eof) << "the idle connection was not closed right away";
  EXPECT_EQ(t.data, "");
  // The request in flight completes, and says the connection closes.
  RawResponse res = busy.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "finished");
  EXPECT_EQ(res.header("Connection"), "close");
  EXPECT_EQ(busy.tail().end, End::eof);
  stopper.join();
  EXPECT_LT(took, 2s);
  EXPECT_EQ(report.cut, 0u);
  EXPECT_GE(report.finished, 1u);
  EXPECT_LE(report.finished, 2u);
  // Nobody listens any more.
  wire::net::Socket late(wire::net::Family::ipv4, wire::net::SocketType::stream);
  late.set_timeout(2s);
  std::error_code ec;
  late.connect(address, ec);
  EXPECT_EQ(ec, std::errc::connection_refused);
}

TEST(HttpServerShutdown, GraceRunsOutAndCuts) {
  std::atomic<int> entered{0};
  Router r;
  r.get("/forever", [&](ServerRequest&) -> io::Task<ServerResponse> {
    ++entered;
    co_await io::sleep_for(30s);
    co_return ServerResponse::text("never");
  });
  TestServer server(std::move(r));
  RawClient c(server.port());
  c.send(get("/forever"));
  ASSERT_TRUE(wait_until([&] { return entered.load() == 1; }, 5s));
  auto t0 = Clock::now();
  auto report = server.server().shutdown(200ms);
  auto took = Clock::now() - t0;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 3s);
  EXPECT_EQ(report.cut, 1u);
  EXPECT_EQ(report.finished, 0u);
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_NE(t.end, End::timeout);
}

}  // namespace
