// SPDX-License-Identifier: MIT
// TcpServer: echo across workers, limits, backpressure, graceful shutdown.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <list>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "support/random.hpp"
#include "support/wait.hpp"
#include "wire/error.hpp"
#include "wire/io.hpp"
#include "wire/net.hpp"

namespace {

using namespace std::chrono_literals;
using wire::io::Stream;
using wire::io::Task;
using wire::io::TcpServer;
using wire::test::wait_until;

Task<void> echo(Stream& s, const wire::net::Address&) {
  std::array<std::byte, 4096> buf;
  for (;;) {
    std::error_code ec;
    std::size_t n = co_await s.read_some(buf, ec);
    if (ec || n == 0) co_return;
    co_await s.write_all(std::span<const std::byte>(buf.data(), n));
  }
}

wire::io::ServerOptions options(unsigned threads) {
  wire::io::ServerOptions o;
  o.host = "127.0.0.1";
  o.threads = threads;
  return o;
}

wire::net::Socket client_of(const TcpServer& server) {
  return wire::net::tcp_connect("127.0.0.1", server.local_address().port(), 10s);
}

TEST(TcpServer, EchoesOnEveryWorker) {
  TcpServer server(options(2), echo);
  server.start();
  std::list<wire::test::Background> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int c = 0; c < 25; ++c) {
        auto sock = client_of(server);
        auto data = wire::test::random_string(1 + (t * 25 + c) * 997 % 50000,
                                              static_cast<unsigned>(t * 100 + c));
        wire::test::Background writer([&] { sock.send_all(data); });
        std::string back = sock.recv_exactly(data.size());
        writer.join();
        if (back != data) throw std::runtime_error("echo mismatch");
      }
    });
  }
  for (auto& c : clients) c.join();
  ASSERT_TRUE(wait_until([&] { return server.connections() == 0; }, 10s));
  auto report = server.shutdown(5s);
  EXPECT_EQ(report.finished, 0u);  // nothing was in flight
  EXPECT_EQ(report.cut, 0u);
}

// Safe by default: a server nobody told where to listen listens on loopback only.
TEST(TcpServer, ListensOnLoopbackUnlessToldOtherwise) {
  wire::io::ServerOptions o;
  o.threads = 1;
  TcpServer server(o, echo);
  server.start();
  EXPECT_EQ(server.local_address().to_string(), "127.0.0.1:" + std::to_string(server.local_address().port()));
  server.shutdown(0s);
}

// Small replies must not wait for Nagle: every accepted connection has TCP_NODELAY (set once
// on the listeners, inherited by what they accept), in both accept modes.
// The URL a client on this machine reaches: wildcards as loopback, IPv6 in brackets, the bound
// port (0 before start(); the wildcards are not bound here: tests stay on loopback).
TEST(TcpServer, UrlNamesTheLoopbackForAWildcardHost) {
  for (auto [host, shown] : {std::pair<std::string, std::string>{"", "127.0.0.1"}, {"0.0.0.0", "127.0.0.1"},
                             {"::", "[::1]"}, {"::1", "[::1]"}, {"localhost", "localhost"}}) {
    wire::io::ServerOptions o = options(1);
    o.host = host;
    TcpServer server(o, echo);
    EXPECT_EQ(server.url("ftp"), "ftp://" + shown + ":0/");
  }
  TcpServer server(options(1), echo);
  server.start();
  EXPECT_EQ(server.url("http"), "http://127.0.0.1:" + std::to_string(server.local_address().port()) + "/");
  server.shutdown(1s);
}

TEST(TcpServer, AcceptedConnectionsHaveNoDelay) {
  for (auto mode : {wire::io::AcceptMode::reuse_port, wire::io::AcceptMode::one_acceptor}) {
    auto o = options(2);
    o.accept_mode = mode;
    std::atomic<int> checked{0};
    std::atomic<int> with_nodelay{0};
    TcpServer server(o, [&](Stream& s, const wire::net::Address&) -> Task<void> {
      int value = 0;
      socklen_t len = sizeof value;
      ::getsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &value, &len);
      if (value) ++with_nodelay;
      ++checked;
      co_return;
    });
    server.start();
    for (int c = 0; c < 6; ++c) {
      auto sock = client_of(server);
      std::string rest = sock.recv(16);  // the handler returns at once: EOF
      EXPECT_EQ(rest, "");
    }
    ASSERT_TRUE(wait_until([&] { return checked.load() == 6; }, 10s));
    EXPECT_EQ(with_nodelay.load(), 6);
    server.shutdown(5s);
  }
}

TEST(TcpServer, OneAcceptorHandsConnectionsToEveryWorker) {
  auto o = options(2);
  o.accept_mode = wire::io::AcceptMode::one_acceptor;
  std::mutex mutex;
  std::set<std::thread::id> served_on;
  TcpServer server(o, [&](Stream& s, const wire::net::Address& peer) -> Task<void> {
    {
      std::lock_guard lock(mutex);
      served_on.insert(std::this_thread::get_id());
    }
    co_await echo(s, peer);
  });
  server.start();
  // Held open together, so the least loaded worker is never the same one.
  std::vector<wire::net::Socket> clients;
  for (int c = 0; c < 8; ++c) {
    clients.push_back(client_of(server));
    auto msg = "message " + std::to_string(c);
    clients.back().send_all(msg);
    EXPECT_EQ(clients.back().recv_exactly(msg.size()), msg);
  }
  EXPECT_EQ(server.connections(), 8u);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(served_on.size(), 2u);  // both workers served connections
  }
  clients.clear();
  EXPECT_TRUE(wait_until([&] { return server.connections() == 0; }, 10s));
  auto report = server.shutdown(5s);
  EXPECT_EQ(report.cut, 0u);
}

TEST(TcpServer, OneAcceptorShutdownCutsIdleConnectionsOnEveryWorker) {
  auto o = options(2);
  o.accept_mode = wire::io::AcceptMode::one_acceptor;
  TcpServer server(o, echo);
  server.start();
  std::vector<wire::net::Socket> idle;
  for (int c = 0; c < 4; ++c) idle.push_back(client_of(server));
  ASSERT_TRUE(wait_until([&] { return server.connections() == 4; }, 10s));
  auto report = server.shutdown(200ms);
  EXPECT_EQ(report.cut, 4u);
  EXPECT_EQ(report.finished, 0u);
  for (auto& s : idle) {
    s.set_timeout(5s);
    EXPECT_EQ(s.recv(8), "");  // closed by the server
  }
}

TEST(TcpServer, BindErrorIsThrownFromStart) {
  auto taken = wire::net::tcp_listen("127.0.0.1", 0);
  auto o = options(1);
  o.port = taken.local_address().port();
  TcpServer server(o, echo);
  try {
    server.start();
    FAIL() << "start() bound a port that is in use";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    EXPECT_NE(std::string(e.what()).find("bind to 127.0.0.1:"), std::string::npos) << e.what();
  }
}

TEST(TcpServer, PausesAcceptingAtTheConnectionLimit) {
  auto o = options(1);
  o.limits.max_connections = 2;
  TcpServer server(o, echo);
  server.start();
  auto a = client_of(server);
  auto b = client_of(server);
  a.send_all("a");
  b.send_all("b");
  EXPECT_EQ(a.recv_exactly(1), "a");
  EXPECT_EQ(b.recv_exactly(1), "b");
  ASSERT_TRUE(wait_until([&] { return server.connections() == 2; }, 10s));
  // The third connects in the kernel's backlog but is not served...
  auto c = client_of(server);
  c.send_all("c");
  c.set_timeout(300ms);
  EXPECT_THROW(c.recv_exactly(1), wire::TimeoutError);
  EXPECT_EQ(server.connections(), 2u);
  // ...until a slot frees.
  a.close();
  c.set_timeout(10s);
  EXPECT_EQ(c.recv_exactly(1), "c");
  EXPECT_TRUE(wait_until([&] { return server.connections() == 2; }, 10s));
  server.shutdown(0s);
}

// Over max_connections with busy_replies: accepted, told "busy" by on_busy(), at most
// busy_replies at a time (the next waits in the backlog); a slot freed serves the next again.
void busy_replies_in(wire::io::AcceptMode mode, unsigned threads) {
  auto o = options(threads);
  o.accept_mode = mode;
  o.limits.max_connections = threads;  // one a worker
  o.limits.busy_replies = 1;
  TcpServer server(o, echo);
  std::atomic<int> told{0};
  server.on_busy([&](Stream& s, const wire::net::Address&) -> Task<void> {
    ++told;
    co_await s.write_all(std::as_bytes(std::span("busy\n", 5)));
    std::array<std::byte, 16> buf;
    std::error_code ec;
    while (co_await s.read_some(buf, ec) > 0) {  // held until the client closes
    }
  });
  server.start();
  std::vector<wire::net::Socket> served;
  for (unsigned i = 0; i < threads; ++i) {
    served.push_back(client_of(server));
    served.back().send_all("x");
    ASSERT_EQ(served.back().recv_exactly(1), "x");
  }
  ASSERT_TRUE(wait_until([&] { return server.connections() == threads; }, 10s));
  auto first = client_of(server);
  first.set_timeout(10s);
  EXPECT_EQ(first.recv_exactly(5), "busy\n");
  // The one busy reply is taken: the next waits, neither served nor told.
  auto second = client_of(server);
  second.send_all("y");
  second.set_timeout(300ms);
  EXPECT_THROW(second.recv_exactly(1), wire::TimeoutError);
  EXPECT_EQ(told.load(), 1);
  first.close();  // its reply ends: the waiting one is told in turn
  second.set_timeout(10s);
  EXPECT_EQ(second.recv_exactly(5), "busy\n");
  EXPECT_EQ(told.load(), 2);
  second.close();
  served.front().close();  // a slot: served again, not told
  ASSERT_TRUE(wait_until([&] { return server.connections() == threads - 1; }, 10s));
  auto third = client_of(server);
  third.set_timeout(10s);
  third.send_all("z");
  EXPECT_EQ(third.recv_exactly(1), "z");
  EXPECT_EQ(told.load(), 2);
  server.shutdown(0s);
}

TEST(TcpServer, OverTheLimitIsToldBusyWhenAsked) { busy_replies_in(wire::io::AcceptMode::reuse_port, 1); }

TEST(TcpServer, OneAcceptorTellsBusyOnceEveryWorkerIsFull) {
  busy_replies_in(wire::io::AcceptMode::one_acceptor, 2);
}

TEST(TcpServer, ClosesIdleConnections) {
  auto o = options(1);
  o.limits.idle_timeout = 200ms;
  TcpServer server(o, echo);
  server.start();
  auto sock = client_of(server);
  sock.set_timeout(10s);
  EXPECT_EQ(sock.recv(16), "");  // the server closed it: EOF, not our timeout
  EXPECT_TRUE(wait_until([&] { return server.connections() == 0; }, 10s));
}

TEST(TcpServer, AClientThatNeverReadsCannotMakeTheServerBuffer) {
  std::atomic<std::size_t> written{0};
  std::atomic<int> outcome{0};  // errno-ish result of the handler's last write
  auto o = options(1);
  o.limits.write_timeout = 300ms;
  TcpServer server(o, [&](Stream& s, const wire::net::Address&) -> Task<void> {
    std::vector<std::byte> chunk(256 * 1024, std::byte{'x'});
    for (int i = 0; i < 4096; ++i) {  // bounded: at most 1 GiB
      std::error_code ec;
      written += co_await s.write_all(chunk, ec);
      if (ec) {
        outcome = ec.value();
        co_return;
      }
    }
  });
  server.start();
  auto sock = client_of(server);
  sock.set_receive_buffer_size(4096);
  // Never read: the handler's write stalls and times out.
  ASSERT_TRUE(wait_until([&] { return outcome.load() != 0; }, 20s));
  EXPECT_EQ(outcome.load(), ETIMEDOUT);
  // What left the server is bounded by the socket buffers, not by the 1 GiB it tried.
  EXPECT_LT(written.load(), 64u * 1024 * 1024);
  EXPECT_TRUE(wait_until([&] { return server.connections() == 0; }, 10s));
}

TEST(TcpServer, GracefulShutdownFinishesInFlightAndCutsTheRest) {
  std::atomic<int> received{0};
  auto o = options(2);
  TcpServer server(o, [&](Stream& s, const wire::net::Address&) -> Task<void> {
    std::array<std::byte, 16> buf;
    std::size_t n = co_await s.read_some(buf);
    if (n == 0) co_return;
    ++received;
    co_await wire::io::sleep_for(300ms);  // in flight when the shutdown starts
    co_await s.write_all(std::span<const std::byte>(buf.data(), n));
  });
  server.start();
  std::vector<wire::net::Socket> busy, idle;
  for (int i = 0; i < 5; ++i) busy.push_back(client_of(server));
  for (int i = 0; i < 3; ++i) idle.push_back(client_of(server));
  ASSERT_TRUE(wait_until([&] { return server.connections() == 8; }, 10s));
  for (auto& s : busy) s.send_all("job");
  ASSERT_TRUE(wait_until([&] { return received.load() == 5; }, 10s));

  auto report = server.shutdown(1s);
  EXPECT_EQ(report.finished, 5u);
  EXPECT_EQ(report.cut, 3u);
  for (auto& s : busy) {
    s.set_timeout(5s);
    EXPECT_EQ(s.recv_exactly(3), "job");
  }
  for (auto& s : idle) {
    s.set_timeout(5s);
    std::error_code ec;
    std::array<std::byte, 4> buf;
    EXPECT_EQ(s.recv(buf, ec), 0u);  // closed by the server
  }
  // New connections are refused once it has stopped.
  EXPECT_THROW(client_of(server), std::system_error);
}

}  // namespace

namespace {

bool blocked(int sig) {
  sigset_t current;
  pthread_sigmask(SIG_BLOCK, nullptr, &current);
  return sigismember(&current, sig) == 1;
}

// Process-directed signals must reach the thread that started the workers (its
// SignalSet, or the default action), so start() then run_until_signal() is safe.
TEST(Runtime, WorkersBlockTerminationSignalsAndTheCallerKeepsItsMask) {
  bool caller_blocked_before = blocked(SIGTERM);
  std::atomic<int> workers_blocking{0};
  wire::io::Runtime rt(2);
  rt.start([&](wire::io::Loop&, unsigned) {
    if (blocked(SIGINT) && blocked(SIGTERM) && blocked(SIGHUP)) ++workers_blocking;
  });
  rt.stop();
  rt.join();
  EXPECT_EQ(workers_blocking.load(), 2);
  EXPECT_EQ(blocked(SIGTERM), caller_blocked_before);
}

}  // namespace
