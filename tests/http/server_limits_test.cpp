// SPDX-License-Identifier: MIT
// wire::http::Server's limits and its answers to malformed requests, on raw sockets: each
// limit just passes at its value and is refused one past it with its exact status (414, 431,
// 413, 408, 503), then the connection closes; slow clients (slowloris heads, trickling
// bodies, silent and idle connections) are cut at their deadlines while 1,000 of them do not
// starve ordinary clients; malformed input (bare CR or LF, folding, bad chunk sizes,
// smuggling-shaped framing, HTTP/2, NUL) is 400 (or 501/505 where RFC 9110/9112 say so) and
// close, and no handler ever runs for it.
#include <gtest/gtest.h>

#include <regex>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "server_helpers.hpp"
#include "support/net.hpp"
#include "support/wait.hpp"
#include "wire/http/server.hpp"
#include "wire/io/task.hpp"

namespace {

namespace http = wire::http;
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
using wire::test::http::Tail;
using wire::test::http::TestServer;
using Clock = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

// A string literal with its NUL bytes.
template <std::size_t N>
std::string raw(const char (&s)[N]) {
  return std::string(s, N - 1);
}

ms since(Clock::time_point t0) { return std::chrono::duration_cast<ms>(Clock::now() - t0); }

// Routes that count their calls: a refused request must never reach one.
struct Counted {
  std::atomic<int> calls{0};
  Router router() {
    Router r;
    r.get("/", [this](ServerRequest&) {
      ++calls;
      return ServerResponse::text("root");
    });
    r.get("/{any...}", [this](ServerRequest& q) {
      ++calls;
      return ServerResponse::text("any " + std::string(q.param("any")));
    });
    r.post("/body", [this](ServerRequest& q) {
      ++calls;
      return ServerResponse::text(std::to_string(q.body.size()));
    });
    RouteOptions small;
    small.max_body = 10;
    r.post("/small", [this](ServerRequest& q) {
      ++calls;
      return ServerResponse::text(std::to_string(q.body.size()));
    }, small);
    RouteOptions large;
    large.max_body = 5000;
    r.post("/large", [this](ServerRequest& q) {
      ++calls;
      return ServerResponse::text(std::to_string(q.body.size()));
    }, large);
    return r;
  }
};

// The answer to a refused request: `status` with its standard page, Connection: close, and
// then the server's close (a clean EOF: it lingers to read what the client still sends).
testing::AssertionResult refused_with(RawClient& c, int status) {
  RawResponse res;
  try {
    res = c.read_response();
  } catch (const std::exception& e) {
    return testing::AssertionFailure() << "no response: " << e.what();
  }
  auto ok = is_response(res, status);
  if (!ok) return ok;
  if (res.body != error_body(status)) return testing::AssertionFailure() << "body: " << res.body;
  if (res.header("Connection") != "close") return testing::AssertionFailure() << "no Connection: close\n" << res.raw;
  Tail t = c.tail();
  if (!t.data.empty()) return testing::AssertionFailure() << "bytes after the answer: " << t.data;
  if (t.end != End::eof) return testing::AssertionFailure() << "the connection ended with " << t.end << ", not EOF";
  return testing::AssertionSuccess();
}

// Sends `bytes` on a fresh connection and checks the refusal.
testing::AssertionResult sent_refused(std::uint16_t port, std::string_view bytes, int status) {
  RawClient c(port);
  c.send(bytes);
  return refused_with(c, status);
}

// --- sizes -----------------------------------------------------------------------------------

TEST(HttpServerLimits, RequestLineOverTheLimitIs414) {
  Counted counted;
  ServerLimits limits;
  limits.max_request_line = 1024;
  TestServer server(counted.router(), limits);
  // "GET " + target + " HTTP/1.1" is exactly 1024 bytes: it passes.
  RawClient c(server.port());
  std::string target = "/" + std::string(1010, 'a');
  RawResponse res = c.roundtrip(get(target));
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "any " + std::string(1010, 'a'));
  // One more byte is 414.
  EXPECT_TRUE(sent_refused(server.port(), get(target + "a"), 414));
  EXPECT_TRUE(sent_refused(server.port(), get("/" + std::string(100'000, 'b')), 414));
  EXPECT_EQ(counted.calls.load(), 1);
}

TEST(HttpServerLimits, HeaderSectionOverTheLimitIs431) {
  Counted counted;
  ServerLimits limits;
  limits.max_header_bytes = 1024;
  TestServer server(counted.router(), limits);
  // "Host: test\r\n" (12) + "X: " + value + "\r\n" (5 + value) = 1024 at the limit.
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(get("/", "X: " + std::string(1007, 'v') + "\r\n")).status, 200);
  EXPECT_TRUE(sent_refused(server.port(), get("/", "X: " + std::string(1008, 'v') + "\r\n"), 431));
  EXPECT_TRUE(sent_refused(server.port(), get("/", "X: " + std::string(1 << 20, 'v') + "\r\n"), 431));
  EXPECT_EQ(counted.calls.load(), 1);
}

TEST(HttpServerLimits, TooManyHeaderFieldsIs431) {
  Counted counted;
  ServerLimits limits;
  limits.max_header_count = 10;
  TestServer server(counted.router(), limits);
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += "X-" + std::to_string(i) + ": v\r\n";
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(get("/", nine)).status, 200);  // Host + 9 = 10
  EXPECT_TRUE(sent_refused(server.port(), get("/", nine + "X-9: v\r\n"), 431));
  EXPECT_EQ(counted.calls.load(), 1);
}

TEST(HttpServerLimits, DeclaredBodyOverTheLimitIs413Unread) {
  Counted counted;
  ServerLimits limits;
  limits.max_body = 1000;
  TestServer server(counted.router(), limits);
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(request("POST", "/body", std::string(1000, 'b'))).body, "1000");
  // Only the head is sent: the answer comes without the body.
  RawClient d(server.port(), 5s);
  d.send("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 1001\r\n\r\n");
  EXPECT_TRUE(refused_with(d, 413));
  RawClient e(server.port(), 5s);
  e.send("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 10000000000\r\n\r\n");
  EXPECT_TRUE(refused_with(e, 413));
  // With Expect: 100-continue, no 100 comes first.
  RawClient f(server.port(), 5s);
  f.send("POST /body HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n");
  EXPECT_TRUE(refused_with(f, 413));
  EXPECT_EQ(counted.calls.load(), 1);
}

TEST(HttpServerLimits, ChunkedBodyGrowingPastTheLimitIs413) {
  Counted counted;
  ServerLimits limits;
  limits.max_body = 1000;
  TestServer server(counted.router(), limits);
  // 1000 bytes in chunks pass.
  RawClient c(server.port());
  std::string chunks;
  for (int i = 0; i < 4; ++i) chunks += "FA\r\n" + std::string(250, 'c') + "\r\n";
  EXPECT_EQ(c.roundtrip("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n").body,
            "1000");
  // One more byte is 413.
  RawClient d(server.port());
  d.send("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "1\r\nx\r\n0\r\n\r\n");
  EXPECT_TRUE(refused_with(d, 413));
  // One chunk larger than the limit: refused once its bytes pass the limit.
  RawClient e(server.port());
  e.send("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n");
  Background sender([&] { e.send_quietly(std::string(0x100000, 'c') + "\r\n0\r\n\r\n"); });
  EXPECT_TRUE(refused_with(e, 413));
  sender.join();
  EXPECT_EQ(counted.calls.load(), 1);
}

TEST(HttpServerLimits, RouteBodyLimitReplacesTheServers) {
  Counted counted;
  ServerLimits limits;
  limits.max_body = 1000;
  TestServer server(counted.router(), limits);
  RawClient c(server.port());
  EXPECT_EQ(c.roundtrip(request("POST", "/small", std::string(10, 's'))).body, "10");
  EXPECT_EQ(c.roundtrip(request("POST", "/large", std::string(5000, 'l'))).body, "5000");
  EXPECT_EQ(c.roundtrip(request("POST", "/body", std::string(1000, 'b'))).body, "1000");
  EXPECT_TRUE(sent_refused(server.port(), request("POST", "/small", std::string(11, 's')), 413));
  EXPECT_TRUE(sent_refused(server.port(), request("POST", "/large", std::string(5001, 'l')), 413));
  EXPECT_TRUE(sent_refused(server.port(),
                           "POST /small HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsixsix\r\n"
                           "5\r\nfive5\r\n0\r\n\r\n",
                           413));
  EXPECT_EQ(counted.calls.load(), 3);
}

TEST(HttpServerLimits, StreamedBodyOverTheRouteLimitIs413EvenIfTheHandlerCatches) {
  std::atomic<int> caught{0};
  Router r;
  RouteOptions o;
  o.stream_body = true;
  o.max_body = 100;
  r.post("/stream", [&](ServerRequest& q) -> wire::io::Task<ServerResponse> {
    std::vector<std::byte> buffer(64);
    std::size_t total = 0;
    try {
      for (int i = 0; i < 1000; ++i) {
        std::size_t n = co_await q.read_body(buffer);
        if (n == 0) break;
        total += n;
      }
    } catch (const std::exception&) {
      ++caught;  // and answers 200 anyway: the server must not send it
    }
    co_return ServerResponse::text("read " + std::to_string(total));
  }, o);
  TestServer server(std::move(r));
  RawClient ok(server.port());
  EXPECT_EQ(ok.roundtrip("POST /stream HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" +
                         std::string(100, 'x') + "\r\n0\r\n\r\n").body,
            "read 100");
  RawClient c(server.port());
  c.send("POST /stream HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
  c.send("64\r\n" + std::string(100, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n");
  EXPECT_TRUE(refused_with(c, 413));
  EXPECT_EQ(caught.load(), 1);
  // Declared up front, it is refused before the handler runs.
  EXPECT_TRUE(sent_refused(server.port(), request("POST", "/stream", std::string(101, 'x')), 413));
  EXPECT_EQ(caught.load(), 1);
}

// --- time ------------------------------------------------------------------------------------

// Sends `bytes` one at a time, every `every`, until done, stopped, or the peer hangs up.
struct Dribbler {
  Dribbler(RawClient& c, std::string bytes, ms every)
      : thread([this, &c, bytes = std::move(bytes), every] {
          for (std::size_t i = 0; i < bytes.size() && !stop.load(); ++i) {
            if (!c.send_quietly(std::string_view(&bytes[i], 1))) return;
            std::this_thread::sleep_for(every);  // slow on purpose
          }
        }) {}
  ~Dribbler() { stop = true; }
  std::atomic<bool> stop{false};
  Background thread;
};

// Limits with these head and keep-alive deadlines, the rest at their defaults.
ServerLimits timeouts(std::chrono::milliseconds header, std::chrono::milliseconds keep_alive) {
  ServerLimits limits;
  limits.header_timeout = header;
  limits.keep_alive_timeout = keep_alive;
  return limits;
}

TEST(HttpServerLimits, SlowlorisHeadIs408AtTheDeadline) {
  Counted counted;
  ServerLimits limits;
  limits.header_timeout = 500ms;
  TestServer server(counted.router(), limits);
  auto t0 = Clock::now();
  RawClient c(server.port());
  std::string head = get("/", "X-Slow: " + std::string(100, 's') + "\r\n");
  RawResponse res;
  {
    Dribbler slow(c, head, 100ms);  // 100+ bytes at 10 bytes/s: never done in time
    res = c.read_response();
  }
  auto took = since(t0);
  ASSERT_TRUE(is_response(res, 408));
  EXPECT_EQ(res.body, error_body(408));
  EXPECT_EQ(res.header("Connection"), "close");
  EXPECT_GE(took, 450ms);
  EXPECT_LT(took, 1500ms);
  Tail t = c.tail();
  EXPECT_EQ(t.end, End::eof);
  EXPECT_EQ(t.data, "");
  EXPECT_EQ(counted.calls.load(), 0);
}

// ServerLimits::header_timeout: "from its first byte (for the first request: from the accept)".
// A client that waits before its first byte gets no more time for the head than one that
// starts at once.
TEST(HttpServerLimits, FirstHeadDeadlineCountsFromTheAccept) {
  Counted counted;
  ServerLimits limits;
  limits.header_timeout = 1000ms;
  TestServer server(counted.router(), limits);
  auto t0 = Clock::now();
  RawClient c(server.port());
  std::this_thread::sleep_for(700ms);  // silent on purpose, then slow
  RawResponse res;
  {
    Dribbler slow(c, get("/", "X-Slow: " + std::string(100, 's') + "\r\n"), 100ms);
    res = c.read_response();
  }
  auto took = since(t0);
  ASSERT_TRUE(is_response(res, 408));
  EXPECT_GE(took, 950ms);
  EXPECT_LT(took, 1400ms) << "the head deadline was counted from the first byte, not from the accept";
}

TEST(HttpServerLimits, SilentConnectionIsClosedAfterHeaderTimeout) {
  Counted counted;
  TestServer server(counted.router(), timeouts(500ms, 30s));
  auto t0 = Clock::now();
  RawClient c(server.port());
  Tail t = c.tail(5s);
  auto took = since(t0);
  EXPECT_EQ(t.end, End::eof);
  EXPECT_EQ(t.data, "");  // silently: nothing was asked, nothing is answered
  EXPECT_GE(took, 450ms);
  EXPECT_LT(took, 1500ms);
}

TEST(HttpServerLimits, IdleKeepAliveIsClosedAfterKeepAliveTimeout) {
  Counted counted;
  TestServer server(counted.router(), timeouts(10s, 600ms));
  RawClient c(server.port());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(c.roundtrip(get("/")).body, "root");
  auto t0 = Clock::now();
  Tail t = c.tail(5s);
  auto took = since(t0);
  EXPECT_EQ(t.end, End::eof);
  EXPECT_EQ(t.data, "");
  EXPECT_GE(took, 300ms);  // not before half of it
  EXPECT_LT(took, 1600ms);
  // A request in time restarts the wait: the connection lives past one timeout in all.
  RawClient d(server.port());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(d.roundtrip(get("/")).body, "root");
    EXPECT_TRUE(d.still_open(300ms));
  }
}

// Each idle connection is closed at its own deadline, whatever the others wait for: those
// waiting for their first request (header_timeout) apart from the kept-alive ones.
TEST(HttpServerLimits, EachIdleConnectionIsClosedAtItsOwnDeadline) {
  Counted counted;
  TestServer server(counted.router(), timeouts(10s, 600ms));
  RawClient fresh(server.port());  // never asks: waits for its first request, 10 s
  RawClient a(server.port());
  RawClient b(server.port());
  EXPECT_EQ(a.roundtrip(get("/")).body, "root");
  auto a_done = Clock::now();
  EXPECT_TRUE(b.still_open(300ms));
  EXPECT_EQ(b.roundtrip(get("/")).body, "root");
  auto b_done = Clock::now();

  Tail ta = a.tail(5s);
  auto a_closed = Clock::now();
  EXPECT_EQ(ta.end, End::eof);
  EXPECT_TRUE(b.still_open(50ms)) << "closed with a, before its own deadline";
  Tail tb = b.tail(5s);
  auto b_closed = Clock::now();
  EXPECT_EQ(tb.end, End::eof);
  EXPECT_GE(a_closed - a_done, 550ms);
  EXPECT_LT(a_closed - a_done, 1600ms);
  EXPECT_GE(b_closed - b_done, 550ms);
  EXPECT_LT(b_closed - b_done, 1600ms);
  EXPECT_TRUE(fresh.still_open(100ms)) << "the first-request wait ended with the keep-alive ones";
  EXPECT_EQ(fresh.roundtrip(get("/")).body, "root");
}

TEST(HttpServerLimits, BodySlowerThanTheMinimumRateIs408) {
  Counted counted;
  ServerLimits limits;
  limits.min_body_rate = 1000;  // bytes/s
  limits.body_grace = 300ms;
  limits.header_timeout = 10s;
  TestServer server(counted.router(), limits);
  RawClient c(server.port());
  c.send("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\n");
  auto t0 = Clock::now();
  RawResponse res;
  {
    Dribbler slow(c, std::string(5000, 'b'), 50ms);  // 20 bytes/s
    res = c.read_response();
  }
  auto took = since(t0);
  ASSERT_TRUE(is_response(res, 408));
  EXPECT_EQ(res.body, error_body(408));
  EXPECT_EQ(res.header("Connection"), "close");
  // The grace period, plus what the few bytes received earn at 1000 bytes/s.
  EXPECT_GE(took, 280ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(c.tail().end, End::eof);
  EXPECT_EQ(counted.calls.load(), 0);
}

TEST(HttpServerLimits, BodyAtTheRateIsAccepted) {
  Counted counted;
  ServerLimits limits;
  limits.min_body_rate = 1000;
  limits.body_grace = 200ms;
  TestServer server(counted.router(), limits);
  RawClient c(server.port());
  c.send("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 600\r\n\r\n");
  // 100 bytes every 50 ms (2000 bytes/s, twice the minimum), past the grace period.
  for (int i = 0; i < 6; ++i) {
    c.send(std::string(100, 'b'));
    std::this_thread::sleep_for(50ms);  // slow on purpose
  }
  RawResponse res = c.read_response();
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.body, "600");
}

// --- connections -------------------------------------------------------------------------------

TEST(HttpServerLimits, ConnectionsPerClientPastTheLimitGet503) {
  Counted counted;
  ServerLimits limits;
  limits.max_connections_per_client = 2;
  TestServer server(counted.router(), limits);
  auto a = std::make_unique<RawClient>(server.port());
  RawClient b(server.port());
  EXPECT_EQ(a->roundtrip(get("/")).body, "root");
  EXPECT_EQ(b.roundtrip(get("/")).body, "root");
  RawClient third(server.port());
  RawResponse res = third.read_response();  // without asking
  // Every answer goes through the one response serializer: Server and Date as on any other.
  EXPECT_TRUE(is_response(res, 503));
  EXPECT_EQ(std::regex_replace(res.raw, std::regex("Date: [^\r]*\r\n"), ""),
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Server: wire\r\nContent-Length: 34\r\nConnection: close\r\n\r\n503 too many connections from you\n");
  Tail t = third.tail();
  EXPECT_EQ(t.end, End::eof);
  EXPECT_EQ(t.data, "");
  // Another client address is another count.
  RawClient other(server.port(), 10s, "127.0.0.2");
  EXPECT_EQ(other.roundtrip(get("/")).body, "root");
  // A slot freed is a slot again.
  a.reset();
  ASSERT_TRUE(wait_until([&] { return server.server().connections() == 2; }, 5s));
  RawClient again(server.port());
  EXPECT_EQ(again.roundtrip(get("/")).body, "root");
}

TEST(HttpServerLimits, ThousandSlowlorisDoNotStarveOrdinaryClients) {
  constexpr std::size_t kSlow = 1000;
  constexpr int kOrdinary = 50;
  ASSERT_GE(wire::test::raise_fd_limit(4 * kSlow), 3 * kSlow);
  Counted counted;
  ServerLimits limits;
  limits.header_timeout = 3s;
  limits.max_connections_per_client = 5000;
  TestServer server(counted.router(), limits, 2);

  std::vector<RawClient> slow;
  slow.reserve(kSlow);
  auto first_connect = Clock::now();
  for (std::size_t i = 0; i < kSlow; ++i) {
    slow.emplace_back(server.port(), 10s);
    slow.back().send("GET /slow HTTP/1.1\r\nHost: te");  // and never the rest
  }
  ASSERT_TRUE(wait_until([&] { return server.server().connections() >= kSlow; }, 10s))
      << server.server().connections() << " connections";
  EXPECT_LT(since(first_connect), 2s) << "the slowloris set-up took too long for this test's timing";

  // Ordinary clients on fresh connections are answered promptly.
  auto t0 = Clock::now();
  ms slowest{0};
  for (int i = 0; i < kOrdinary; ++i) {
    auto t = Clock::now();
    RawClient c(server.port(), 5s);
    RawResponse res = c.roundtrip(get("/ordinary/" + std::to_string(i)));
    ASSERT_TRUE(is_response(res, 200)) << i;
    EXPECT_EQ(res.body, "any ordinary/" + std::to_string(i));
    slowest = std::max(slowest, since(t));
  }
  EXPECT_LT(slowest, 1s);
  EXPECT_LT(since(t0), 10s);
  EXPECT_EQ(counted.calls.load(), kOrdinary);

  // Then each slowloris gets its 408 and the close, at its deadline, not before.
  std::vector<std::string> got(kSlow);
  std::vector<bool> done(kSlow, false);
  std::vector<Clock::time_point> closed_at(kSlow);
  std::size_t remaining = kSlow, resets = 0;
  const auto deadline = Clock::now() + limits.header_timeout + 10s;
  std::vector<pollfd> fds(kSlow);
  while (remaining > 0 && Clock::now() < deadline) {
    for (std::size_t i = 0; i < kSlow; ++i) fds[i] = {done[i] ? -1 : slow[i].socket().fd(), POLLIN, 0};
    int n = ::poll(fds.data(), fds.size(), 100);
    if (n <= 0) continue;
    for (std::size_t i = 0; i < kSlow; ++i) {
      if (done[i] || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t r = ::recv(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT);
      if (r > 0) {
        got[i].append(buf, static_cast<std::size_t>(r));
        continue;
      }
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r < 0) ++resets;
      done[i] = true;
      closed_at[i] = Clock::now();
      --remaining;
    }
  }
  ASSERT_EQ(remaining, 0u) << "slowloris connections still open past their deadline";
  EXPECT_EQ(resets, 0u);
  const std::string start = "HTTP/1.1 408 Request Timeout\r\n";
  const std::string end = "\r\nConnection: close\r\n\r\n408 Request Timeout\n";
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < kSlow; ++i) {
    if (got[i].rfind(start, 0) != 0 || got[i].size() < end.size() ||
        got[i].compare(got[i].size() - end.size(), end.size(), end) != 0) {
      if (++wrong <= 3) ADD_FAILURE() << "slowloris " << i << " got: " << got[i];
    }
  }
  EXPECT_EQ(wrong, 0u);
  auto earliest = *std::min_element(closed_at.begin(), closed_at.end());
  EXPECT_GE(earliest - first_connect, limits.header_timeout - 200ms);
  EXPECT_EQ(counted.calls.load(), kOrdinary);
}

// --- malformed input -------------------------------------------------------------------------

class HttpServerMalformed : public testing::Test {
 protected:
  Counted counted;
  TestServer server{counted.router()};
  void TearDown() override { EXPECT_EQ(counted.calls.load(), 0) << "a handler ran for a malformed request"; }
  testing::AssertionResult refused(std::string_view bytes, int status) {
    return sent_refused(server.port(), bytes, status);
  }
  std::string chunked(std::string_view size_line) {
    return "POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size_line) +
           "\r\nhello\r\n0\r\n\r\n";
  }
};

TEST_F(HttpServerMalformed, GarbageIs400) {
  EXPECT_TRUE(refused(raw("\x01\x02\x03\xff\xfe garbage\r\n\r\n"), 400));
  EXPECT_TRUE(refused(raw("\0\0\0\0GET / HTTP/1.1\r\nHost: test\r\n\r\n"), 400));
  EXPECT_TRUE(refused(raw("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), 400));  // a TLS ClientHello
}

TEST_F(HttpServerMalformed, BareLineFeedsAre400) {
  EXPECT_TRUE(refused("GET / HTTP/1.1\nHost: test\n\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\nX: y\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\r\n\n", 400));
}

TEST_F(HttpServerMalformed, BareCarriageReturnIs400) {
  EXPECT_TRUE(refused("GET / HTTP/1.1\rHost: test\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\rX: y\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\r\nX: a\rb\r\n\r\n", 400));
}

TEST_F(HttpServerMalformed, ObsoleteLineFoldingIs400) {
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\r\nX: a\r\n b\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\r\nX: a\r\n\tb\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\n Host: test\r\n\r\n", 400));
}

TEST_F(HttpServerMalformed, SpaceBeforeColonIs400) {
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost : test\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\r\nContent-Length\t: 0\r\n\r\n", 400));
}

TEST_F(HttpServerMalformed, NonHexChunkSizesAre400) {
  for (const char* size : {"1g", "0x5", "+5", " 5", "-5", "", "5 ", "g"}) {
    EXPECT_TRUE(refused(chunked(size), 400)) << "chunk size \"" << size << "\"";
  }
}

// Issue 17: chunk extensions of any length were read. The chunk-size line is bounded (4 KiB).
TEST_F(HttpServerMalformed, ChunkSizeLineOverTheLimitIs400) {
  EXPECT_TRUE(refused(chunked("5;" + std::string(4095, 'x')), 400));
  EXPECT_TRUE(refused(chunked("5;" + std::string(100'000, 'x')), 400));
}

// Issue 17: RFC 9112 §3.2, a Host that is no authority; RFC 9110 §4.2.4, userinfo in an
// absolute-form target.
TEST_F(HttpServerMalformed, InvalidHostAndUserinfoInTheTargetAre400) {
  for (const char* host : {"a b", "a/b", "u@evil", "a:b:c"}) {
    EXPECT_TRUE(refused(std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n", 400)) << host;
  }
  EXPECT_TRUE(refused("GET http://u@evil/ HTTP/1.1\r\nHost: evil\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET http://u:p@test/ HTTP/1.1\r\nHost: test\r\n\r\n", 400));
}

TEST_F(HttpServerMalformed, ChunkSizeOverflowIs400) {
  EXPECT_TRUE(refused(chunked("10000000000000000"), 400));  // 2^64
  EXPECT_TRUE(refused(chunked("fffffffffffffffff"), 400));
}

TEST_F(HttpServerMalformed, ContentLengthWithTransferEncodingIs400) {
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n0\r\n\r\n",
                      400));
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                      "5\r\nhello\r\n0\r\n\r\n",
                      400));
}

TEST_F(HttpServerMalformed, DifferingContentLengthsAre400) {
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400));
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 5, 6\r\n\r\nhello!", 400));
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: -5\r\n\r\nhello", 400));
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 5x\r\n\r\nhello", 400));
}

// RFC 9112 §6.3: chunked not last in a request's Transfer-Encoding: 400 and close. RFC 9112
// §6.1: a coding the server does not understand (gzip before chunked): 501.
TEST_F(HttpServerMalformed, TransferCodings) {
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip\r\n\r\nhello", 400));
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked, gzip\r\n\r\nhello", 400));
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                      "5\r\nhello\r\n0\r\n\r\n",
                      501));
  EXPECT_TRUE(refused("POST /body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
                      "5\r\nhello\r\n0\r\n\r\n",
                      400));
  EXPECT_TRUE(refused("POST /body HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400));
}

TEST_F(HttpServerMalformed, VersionsOtherThan1xAre505) {
  EXPECT_TRUE(refused("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505));  // the HTTP/2 connection preface
  EXPECT_TRUE(refused("GET / HTTP/2.0\r\nHost: test\r\n\r\n", 505));
  EXPECT_TRUE(refused("GET / HTTP/3.0\r\nHost: test\r\n\r\n", 505));
  EXPECT_TRUE(refused("GET / HTTP/0.9\r\nHost: test\r\n\r\n", 505));
}

// RFC 9112 §2.3: a later HTTP/1.x is answered as HTTP/1.1, on a persistent connection.
TEST(HttpServerVersions, ALaterMinorVersionIsServedAsHttp11) {
  Counted counted;
  TestServer server(counted.router());
  RawClient c(server.port());
  RawResponse res = c.roundtrip("GET / HTTP/1.2\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(res.status_line.substr(0, 9), "HTTP/1.1 ");
  EXPECT_EQ(res.header("Connection"), std::nullopt);
  EXPECT_EQ(res.body, "root");
  res = c.roundtrip("GET / HTTP/1.9\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(is_response(res, 200));
  EXPECT_EQ(counted.calls.load(), 2);
}

TEST_F(HttpServerMalformed, HostMustBeThereOnceInHttp11) {
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400));
}

TEST_F(HttpServerMalformed, BadRequestLinesAre400) {
  EXPECT_TRUE(refused("GET  / HTTP/1.1\r\nHost: test\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET /a b HTTP/1.1\r\nHost: test\r\n\r\n", 400));
  EXPECT_TRUE(refused("GET /\x01 HTTP/1.1\r\nHost: test\r\n\r\n", 400));
}

// RFC 9112 §3: an invalid request-line is 400. A known method or version in it does not make
// it a request for a method (501) or a version (505) the server lacks.
TEST_F(HttpServerMalformed, MalformedRequestLinesAreNot501Or505) {
  EXPECT_TRUE(refused("GET\r\nHost: test\r\n\r\n", 400));                  // no target, no version
  EXPECT_TRUE(refused("GET / HTTP/1.1 \r\nHost: test\r\n\r\n", 400));      // a space after the version
}

TEST_F(HttpServerMalformed, NulInAHeaderValueIs400) {
  EXPECT_TRUE(refused(raw("GET / HTTP/1.1\r\nHost: test\r\nX: a\0b\r\n\r\n"), 400));
  EXPECT_TRUE(refused("GET / HTTP/1.1\r\nHost: test\r\nX: a\x7f\r\n\r\n", 400));
}

// RFC 9110 §9.1 and RFC 9112 §3: an unknown method, or one longer than any the server
// implements, is 501.
TEST_F(HttpServerMalformed, UnknownAndVeryLongMethodsAre501) {
  EXPECT_TRUE(refused("FOO / HTTP/1.1\r\nHost: test\r\n\r\n", 501));
  EXPECT_TRUE(refused("get / HTTP/1.1\r\nHost: test\r\n\r\n", 501));
  EXPECT_TRUE(refused(std::string(10'000, 'A') + " / HTTP/1.1\r\nHost: test\r\n\r\n", 501));
  EXPECT_TRUE(refused(std::string(100'000, 'G') + " / HTTP/1.1\r\nHost: test\r\n\r\n", 501));
}

TEST_F(HttpServerMalformed, TruncatedHeadThenCloseIsNotAnswered) {
  RawClient c(server.port());
  c.send("GET / HTTP/1.1\r\nHost: te");
  c.shutdown_write();
  Tail t = c.tail();
  EXPECT_EQ(t.data, "");
  EXPECT_EQ(t.end, End::eof);
}

TEST_F(HttpServerMalformed, TruncatedBodyThenCloseIs400) {
  RawClient c(server.port());
  c.send("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nhello");
  c.shutdown_write();
  EXPECT_TRUE(refused_with(c, 400));
}

}  // namespace
