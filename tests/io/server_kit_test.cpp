// SPDX-License-Identifier: MIT
// The server kit: connections per client address (TcpServer), idle queues closing at their
// deadlines, state per worker thread, the lingering close, and peek_byte.
#include "wire/io/server_kit.hpp"

#include <atomic>
#include <set>
#include <thread>

#include "io_helpers.hpp"
#include "support/wait.hpp"
#include "wire/error.hpp"
#include "wire/io/tcp_server.hpp"

namespace {

using namespace wire::test::io;
using wire::io::IdleLink;
using wire::io::IdleQueue;
using wire::io::PerWorker;
using wire::io::TcpServer;
using wire::test::wait_until;

// Holds each connection open until the client closes it.
Task<void> hold(Stream& s, const wire::net::Address&) {
  std::byte b[16];
  std::error_code ec;
  while (co_await s.read_some(b, ec) > 0 && !ec) {
  }
}

Task<void> busy(Stream& s, const wire::net::Address&) {
  co_await s.write_all(bytes_of("421 busy\r\n"));
  co_await wire::io::linger_close(s, 200ms);
}

TEST(ServerKit, ConnectionsPerClientAddress) {
  wire::io::ServerOptions o;
  o.host = "127.0.0.1";
  o.threads = 2;
  o.limits.max_connections_per_client = 2;
  TcpServer server(o, hold);
  server.on_refused(busy);
  server.start();
  auto port = server.local_address().port();
  auto a = wire::net::tcp_connect("127.0.0.1", port, 10s);
  auto b = wire::net::tcp_connect("127.0.0.1", port, 10s);
  ASSERT_TRUE(wait_until([&] { return server.connections() == 2; }, 5s));
  auto c = wire::net::tcp_connect("127.0.0.1", port, 10s);
  EXPECT_EQ(c.recv_until("\r\n", 100), "421 busy\r\n");
  EXPECT_EQ(c.recv(10), "");  // then closed
  // IPv4 127.0.0.2 is another client; its count is its own.
  wire::net::Socket other(wire::net::Family::ipv4, wire::net::SocketType::stream);
  other.bind(wire::net::Address::ip("127.0.0.2", 0));
  other.connect(wire::net::Address::ip("127.0.0.1", port));
  ASSERT_TRUE(wait_until([&] { return server.connections() == 3; }, 5s));
  // A slot freed is a slot again.
  a.close();
  ASSERT_TRUE(wait_until([&] { return server.connections() == 2; }, 5s));
  auto d = wire::net::tcp_connect("127.0.0.1", port, 10s);
  ASSERT_TRUE(wait_until([&] { return server.connections() == 3; }, 5s));
  d.set_timeout(200ms);
  EXPECT_THROW(d.recv(10), wire::TimeoutError);  // held open, not refused
  server.shutdown(0s);
}

TEST(ServerKit, WithoutARefusalHandlerTheConnectionJustCloses) {
  wire::io::ServerOptions o;
  o.host = "127.0.0.1";
  o.threads = 1;
  o.limits.max_connections_per_client = 1;
  TcpServer server(o, hold);
  server.start();
  auto a = wire::net::tcp_connect("127.0.0.1", server.local_address().port(), 10s);
  ASSERT_TRUE(wait_until([&] { return server.connections() == 1; }, 5s));
  auto b = wire::net::tcp_connect("127.0.0.1", server.local_address().port(), 10s);
  EXPECT_EQ(b.recv(10), "");
  server.shutdown(0s);
}

TEST(ServerKit, IdleQueueClosesEachConnectionAtItsDeadline) {
  run_bounded([]() -> Task<void> {
    auto [a1, b1] = co_await stream_pair();
    auto [a2, b2] = co_await stream_pair();
    auto [a3, b3] = co_await stream_pair();
    IdleQueue queue;
    IdleLink l1, l2, l3;
    l1.stream = &b1;
    l2.stream = &b2;
    l3.stream = &b3;
    auto now = Loop::current().now();
    queue.push(l2, now + 200ms);
    queue.push(l1, now + 50ms);   // earlier than the first: goes in front, the timer moves up
    queue.push(l3, now + 10s);
    l3.unlink();                  // a connection that got its request leaves the queue
    std::error_code ec;
    b1.set_read_timeout(5s);
    co_await b1.wait_readable(ec);
    EXPECT_EQ(ec, std::errc::operation_canceled);  // closed by the queue
    EXPECT_FALSE(b1.is_open());
    EXPECT_TRUE(b2.is_open());
    auto started = Clock::now();
    b2.set_read_timeout(5s);
    co_await b2.wait_readable(ec);
    EXPECT_EQ(ec, std::errc::operation_canceled);
    EXPECT_GE(Clock::now() - started, 100ms);  // not before its own deadline
    EXPECT_TRUE(b3.is_open());
    EXPECT_TRUE(queue.empty());
  }());
}

TEST(ServerKit, IdleQueueCloseAllForADrain) {
  run_bounded([]() -> Task<void> {
    auto [a, b] = co_await stream_pair();
    IdleQueue queue;
    IdleLink link;
    link.stream = &b;
    queue.push(link, Loop::current().now() + 60s);
    queue.close_all();
    EXPECT_FALSE(b.is_open());
    EXPECT_FALSE(link.linked());
  }());
}

TEST(ServerKit, PerWorkerIsOnePerThreadAndOwner) {
  PerWorker<int> one;
  PerWorker<int> two;
  std::set<int*> seen;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      int* a = &one.local();
      int* again = &one.local();
      int* b = &two.local();
      EXPECT_EQ(a, again);
      EXPECT_NE(a, b);
      std::lock_guard lock(m);
      seen.insert(a);
      seen.insert(b);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 8u);
}

TEST(ServerKit, PeekByteLeavesTheByteForTheReader) {
  run_bounded([]() -> Task<void> {
    auto [a, b] = co_await stream_pair();
    std::error_code ec;
    auto none = co_await wire::io::peek_byte(b, 30ms, ec);
    EXPECT_FALSE(none);
    EXPECT_EQ(ec, std::errc::timed_out);
    co_await a.write_all(bytes_of("GET /"));
    auto first = co_await wire::io::peek_byte(b, 5s, ec);
    EXPECT_EQ(first, 'G');
    EXPECT_FALSE(ec);
    Bytes buf(16);
    std::size_t n = co_await b.read_some(buf);
    EXPECT_EQ(text_of(std::span(buf).first(n)), "GET /");
    a.close();
    auto end = co_await wire::io::peek_byte(b, 5s, ec);
    EXPECT_FALSE(end);
    EXPECT_EQ(ec, wire::Errc::unexpected_eof);
  }());
}

// A close with unread input resets the connection, and a reset can destroy an answer the
// client has not read yet; the lingering close lets the answer arrive.
TEST(ServerKit, LingeringCloseDeliversTheAnswer) {
  run_bounded([]() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    co_await client.write_all(bytes_of("unread request bytes"));
    co_await server.write_all(bytes_of("400 bad\n"));
    Loop::current().spawn([](Stream s) -> Task<void> { co_await wire::io::linger_close(s, 2s); }(std::move(server)));
    Bytes buf(64);
    std::error_code ec;
    std::size_t n = co_await client.read_some(buf, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(text_of(std::span(buf).first(n)), "400 bad\n");
    n = co_await client.read_some(buf, ec);  // the half-close: EOF, not a reset
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, 0u);
  }());
}

}  // namespace
