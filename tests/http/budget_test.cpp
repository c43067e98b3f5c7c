// SPDX-License-Identifier: MIT
// Performance budgets of the HTTP server (issue 15, point 5), counted, not timed: the system
// calls the server's worker makes per request on four paths, the allocations it makes per
// keep-alive request, and the heap it holds per idle keep-alive connection. The counting layer
// (budget_counters.h) is the test executable's own definitions of libc's system-call entry
// points and of operator new; the test's client thread excludes itself, so what is counted is
// the one worker. Every figure below is a number with its origin beside it: what this code
// made when the budget was set, call by call. A change that makes the server do more fails
// here; one that makes it do less should lower the number in the same commit.
//
// How a window is made exact: counting starts and stops while the worker is parked in
// epoll_wait with nothing left to do (budget_counters' `parked`), so each request's wake-up is
// counted once, and a connection's arrival is lined up with its request (wire_budget_hold) so
// that the server never races the client to the first read.
#include <gtest/gtest.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "budget_counters.h"
#include "budget_window.hpp"
#include "server_access.hpp"
#include "server_helpers.hpp"
#include "support/net.hpp"
#include "static_cache.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "wire/http/server.hpp"

namespace {

namespace http = wire::http;
using namespace std::chrono_literals;
using wire::test::http::get;
using wire::test::http::RawClient;
using wire::test::http::RawResponse;
using wire::test::http::TestServer;

using wire::test::budget::Calls;
using wire::test::budget::count_while;
using wire::test::budget::expect_within;
using wire::test::budget::wait_parked;

class HttpBudget : public testing::Test {
 protected:
  void SetUp() override { wire_budget_exclude_this_thread(); }
  void TearDown() override { wire_budget_release(); }

  static http::Router router(const std::filesystem::path& root) {
    http::Router r;
    r.get("/route", [](http::ServerRequest&) { return http::ServerResponse::text("hello, route\n"); });
    r.files("/files", root);
    return r;
  }
  static http::ServerOptions options() {
    http::ServerLimits limits;
    limits.keep_alive_timeout = 120s;  // no idle deadline passes during a test
    limits.header_timeout = 120s;
    limits.max_connections = 20'000;
    limits.max_connections_per_client = 0;
    return wire::test::http::server_options(limits, 1);
  }
  void write_file(const std::string& name, const std::string& body) {
    std::ofstream(dir_.path() / name, std::ios::binary) << body;
  }
  // The router, its files' cache clocks stopped an hour ahead: the files the test just wrote
  // count as settled (cached, as any file unchanged for 2 s is) and no entry ages, so what is
  // counted is the steady state, with no check against the disk in the window.
  static http::Router settled_router(const std::filesystem::path& root) {
    http::Router r = router(root);
    http::detail::CacheTimes later = http::detail::CacheTimes::now();
    later.real_ns += std::chrono::nanoseconds(1h).count();
    for (const auto& files : http::detail::ServerAccess::static_roots(r)) {
      http::detail::StaticAccess::freeze_clock(*files, later);
    }
    return r;
  }

  wire::test::TempDir dir_;
};

}  // namespace

namespace {

constexpr unsigned long kRequests = 64;

// --- the budgets: what this code made when they were set (the branch `budgets` off ae41a02,
// the default RelWithDebInfo build, glibc 2.36, Linux 6.x), each call checked against `strace
// -f` of the worker thread for the same exchanges.

// (a) A keep-alive GET of a 13-byte static file, cached, per request: the wake-up
// (epoll_wait), the request (recv), and head and body in one send. The file cache (issue 15,
// points 1 and 2) took away what it was before: openat2, fstat, a send for the head, sendfile
// and close (7 calls).
const Calls kStaticFile = {{"epoll_wait", 1}, {"recv", 1}, {"send", 1}};
// Allocations per static-file request: none (it was 9: the open file's response fields, its
// ETag and date strings, the cleaned path, and the route parameters' vector, which each
// exchange now lends its requests). The test's path fits in a std::string's own buffer; a
// longer one is decoded into a heap string, one allocation.
constexpr unsigned long kStaticFileAllocations = 0;

// (b) A keep-alive GET answered by a synchronous route, per request: the wake-up, one recv for
// the request, one send for head and body (the read hint skips the recv that would say EAGAIN).
const Calls kRoute = {{"epoll_wait", 1}, {"recv", 1}, {"send", 1}};
// Allocations per route request: a field of the request kept by the parser (16 bytes) and the
// response's Content-Type field (Headers::append).
constexpr unsigned long kRouteAllocations = 2;

// (c) A batch of 16 pipelined GETs sent in one write, answered by the route, per batch: one
// wake-up, one recv for all 16, and one send for the 16 responses (before the batching of
// issue 15's point 3: one send per response, 16).
const Calls kPipelinedBatch = {{"epoll_wait", 1}, {"recv", 1}, {"send", 1}};
constexpr unsigned long kPipelinedBatchAllocations = 16 * kRouteAllocations;

// (d) A GET with Connection: close on a new connection, per connection: the listener's wake-up
// (epoll_wait), accept4, registering the socket (epoll_ctl), the wake-up for its request
// (epoll_wait: a new connection waits for epoll before its first read), recv, send, close.
const Calls kConnectionClose = {{"epoll_wait", 2}, {"accept4", 1}, {"epoll_ctl", 1}, {"recv", 1},
                                {"send", 1},       {"close", 1}};
// Allocations per connection, 13 in all: the connection's three coroutine frames (TcpServer's,
// spawn's, the HTTP connection's) and its epoll state, an Exchange made for it and deleted at
// its close (a closing connection does not give its exchange back to the spares: the parser,
// the 16 KiB input buffer, the output string), and the route's two.
constexpr unsigned long kConnectionCloseAllocations = 13;

// Heap held per idle keep-alive connection, from mallinfo2 (every arena): measured 944 bytes
// (9,872 connections), which are the four blocks an idle connection holds, malloc's chunk
// header included: the HTTP connection's coroutine frame (416 bytes asked), TcpServer's
// connection frame (352), the frame of Loop::spawn's wrapper (88) and the stream's epoll state
// (io::detail::IoState, 40). The budget leaves 16 bytes of slack for the allocator's own
// rounding; any new block held per connection (32 bytes at least) goes over it. Issue 15's
// target is 1 KiB.
constexpr double kIdleConnectionBytes = 960;

// (a) A keep-alive small static file.
TEST_F(HttpBudget, KeepAliveSmallStaticFile) {
  write_file("small.txt", "hello, wire!\n");  // 13 bytes
  TestServer server(settled_router(dir_.path()), options());
  RawClient c(server.port());
  ASSERT_EQ(c.roundtrip(get("/files/small.txt")).body, "hello, wire!\n");  // warm
  auto n = count_while([&] {
    for (unsigned long i = 0; i < kRequests; ++i) ASSERT_EQ(c.roundtrip(get("/files/small.txt")).status, 200);
  });
  expect_within(n.calls, kStaticFile, kRequests);
  EXPECT_LE(n.allocations, kStaticFileAllocations * kRequests);
}

// (b) A keep-alive route response.
TEST_F(HttpBudget, KeepAliveRoute) {
  TestServer server(router(dir_.path()), options());
  RawClient c(server.port());
  ASSERT_EQ(c.roundtrip(get("/route")).body, "hello, route\n");
  auto n = count_while([&] {
    for (unsigned long i = 0; i < kRequests; ++i) ASSERT_EQ(c.roundtrip(get("/route")).status, 200);
  });
  expect_within(n.calls, kRoute, kRequests);
  EXPECT_LE(n.allocations, kRouteAllocations * kRequests);
}

// (c) Batches of 16 pipelined requests, each batch in one write.
TEST_F(HttpBudget, PipelinedBatch) {
  TestServer server(router(dir_.path()), options());
  RawClient c(server.port());
  std::string batch;
  for (int i = 0; i < 16; ++i) batch += get("/route");
  // Warm: the exchange's output string grows to a batch's size once (4 allocations), and the
  // worker's spare exchange keeps that capacity.
  c.send(batch);
  for (int i = 0; i < 16; ++i) ASSERT_EQ(c.read_response().body, "hello, route\n");
  constexpr unsigned long kBatches = 8;
  auto n = count_while([&] {
    for (unsigned long b = 0; b < kBatches; ++b) {
      c.send(batch);
      for (int i = 0; i < 16; ++i) ASSERT_EQ(c.read_response().body, "hello, route\n");
    }
  });
  expect_within(n.calls, kPipelinedBatch, kBatches);
  EXPECT_LE(n.allocations, kPipelinedBatchAllocations * kBatches);
}

// (c, files) A batch of 16 pipelined GETs of the cached small file: one wake-up, one recv, one
// send for the 16 responses, and no allocation.
TEST_F(HttpBudget, PipelinedBatchOfStaticFiles) {
  write_file("small.txt", "hello, wire!\n");
  TestServer server(settled_router(dir_.path()), options());
  RawClient c(server.port());
  std::string batch;
  for (int i = 0; i < 16; ++i) batch += get("/files/small.txt");
  c.send(batch);  // warm: the file cached, the output string grown to a batch
  for (int i = 0; i < 16; ++i) ASSERT_EQ(c.read_response().body, "hello, wire!\n");
  constexpr unsigned long kBatches = 8;
  auto n = count_while([&] {
    for (unsigned long b = 0; b < kBatches; ++b) {
      c.send(batch);
      for (int i = 0; i < 16; ++i) ASSERT_EQ(c.read_response().body, "hello, wire!\n");
    }
  });
  expect_within(n.calls, kPipelinedBatch, kBatches);
  EXPECT_LE(n.allocations, 16 * kStaticFileAllocations * kBatches);
}

// (c, bounded) 40 pipelined GETs in one write: a batch holds at most 16 responses, so three
// sends (16, 16, 8) after one recv for all 40 (1,400 bytes).
TEST_F(HttpBudget, PipelinedBatchesAreBounded) {
  TestServer server(router(dir_.path()), options());
  RawClient c(server.port());
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += get("/route");
  c.send(forty);  // warm, as above
  for (int i = 0; i < 40; ++i) ASSERT_EQ(c.read_response().body, "hello, route\n");
  auto n = count_while([&] {
    c.send(forty);
    for (int i = 0; i < 40; ++i) ASSERT_EQ(c.read_response().body, "hello, route\n");
  });
  expect_within(n.calls, {{"epoll_wait", 1}, {"recv", 1}, {"send", 3}}, 1);
  EXPECT_EQ(n.calls["send"], 3u);
}

// (d) A request with Connection: close, a connection each.
TEST_F(HttpBudget, ConnectionClose) {
  TestServer server(router(dir_.path()), options());
  { RawClient warm(server.port()); ASSERT_EQ(warm.roundtrip(get("/route", "Connection: close\r\n")).status, 200); }
  constexpr unsigned long kConnections = 32;
  auto n = count_while([&] {
    for (unsigned long i = 0; i < kConnections; ++i) {
      wait_parked();
      wire_budget_hold();  // the worker, woken by the connection, waits for its request to be queued
      RawClient c(server.port());
      c.send(get("/route", "Connection: close\r\n"));
      wire_budget_release();
      ASSERT_EQ(c.read_response().status, 200);
      ASSERT_EQ(c.tail().end, wire::test::http::End::eof);
    }
  });
  expect_within(n.calls, kConnectionClose, kConnections);
  EXPECT_LE(n.allocations, kConnectionCloseAllocations * kConnections);
}

// Heap held per idle keep-alive connection: `kIdle` connections, each after one request,
// waiting for the next; measured from the allocator (mallinfo2: bytes in use, every arena),
// not RSS. The test's client sockets are raw descriptors in a vector reserved beforehand, so
// what grows is the server's.
TEST_F(HttpBudget, IdleKeepAliveConnectionHeap) {
  // Two descriptors a connection in this one process (client and server): 10,000 connections
  // need 20,000 and some, so where the hard limit is 20,000 the test opens fewer (it says how
  // many); the figure is per connection either way.
  const std::size_t limit = wire::test::raise_fd_limit(2 * 10'000 + 256);
  const std::size_t idle = std::min<std::size_t>(10'000, (limit - 256) / 2);
  TestServer server(router(dir_.path()), options());
  const std::string request = get("/route");
  std::size_t response_size = 0;
  {
    RawClient warm(server.port());
    RawResponse r = warm.roundtrip(request);
    ASSERT_EQ(r.body, "hello, route\n");
    response_size = r.raw.size();
  }
  std::vector<int> fds;
  fds.reserve(idle);
  std::vector<char> buffer(response_size);
  wait_parked();
  const std::size_t before = ::mallinfo2().uordblks;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (std::size_t i = 0; i < idle; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to), 0) << i;
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
    ASSERT_EQ(::recv(fd, buffer.data(), buffer.size(), MSG_WAITALL), static_cast<ssize_t>(buffer.size())) << i;
  }
  wait_parked();
  const std::size_t after = ::mallinfo2().uordblks;
  for (int fd : fds) ::close(fd);
  const double per_connection = static_cast<double>(after - before) / static_cast<double>(idle);
  EXPECT_LE(per_connection, kIdleConnectionBytes) << "over " << idle << " idle connections";
  RecordProperty("idle_connections", static_cast<int>(idle));
  RecordProperty("bytes_per_idle_connection", static_cast<int>(per_connection));
}

}  // namespace
