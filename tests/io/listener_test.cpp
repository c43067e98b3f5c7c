// SPDX-License-Identifier: MIT
// wire::io::Listener and connect() over loopback: accepting many, a backlog nobody accepts,
// close cancelling an accept; refused, hanging and unreachable connects, host names, Unix
// sockets.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <time.h>

#include <chrono>
#include <string>
#include <system_error>
#include <vector>

#include "io_helpers.hpp"
#include "support/net.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "wire/error.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace wire::test::io;

// --- Listener ------------------------------------------------------------------------

TEST(Listener, AcceptsManyAndReportsPeers) {
  auto body = []() -> Task<void> {
    Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
    std::vector<Stream> clients;
    for (int i = 0; i < 5; ++i) {
      clients.push_back(co_await wire::io::connect(listener.local_address()));
    }
    for (int i = 0; i < 5; ++i) {
      auto [stream, peer] = co_await listener.accept();
      EXPECT_EQ(peer, clients[i].local_address());
      EXPECT_EQ(stream.peer_address(), peer);
      co_await stream.write_all(bytes_of(std::to_string(i)));
    }
    for (int i = 0; i < 5; ++i) {
      Bytes buf(10);
      std::size_t n = co_await clients[i].read_some(buf);
      EXPECT_EQ(text_of(std::span(buf).first(n)), std::to_string(i));
    }
  };
  run_bounded(body());
}

// Closing a listener while an accept waits ends the accept with
// operation_canceled, in both forms; accepting on a closed listener fails with EBADF.
// A listener is level-triggered (one accept4 per report: no failed accept4, which costs Linux
// a socket allocated and freed). Connections that wait while nobody accepts must not make the
// loop spin on the report, and must all be accepted once someone does.
TEST(Listener, PendingConnectionsWithNobodyAcceptingDoNotSpinTheLoop) {
  auto thread_cpu = [] {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
  };
  auto body = [&]() -> Task<void> {
    Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
    // One accepted first, so that the listener has been reported ready and waited on.
    Stream first = co_await wire::io::connect(listener.local_address());
    co_await listener.accept();
    std::vector<Stream> clients;
    for (int i = 0; i < 5; ++i) clients.push_back(co_await wire::io::connect(listener.local_address()));
    auto cpu_before = thread_cpu();
    co_await sleep_for(300ms);  // nobody accepts meanwhile
    auto cpu = thread_cpu() - cpu_before;
    EXPECT_LT(cpu, 100ms) << "the loop spun on a listener nobody waited on";
    for (int i = 0; i < 5; ++i) {
      auto [stream, peer] = co_await listener.accept();
      EXPECT_EQ(peer, clients[i].local_address());
    }
    // And the next one, arriving while an accept waits, is reported too.
    auto late = [](Listener& l, wire::net::Address& from, bool& done) -> Task<void> {
      from = (co_await l.accept()).peer;
      done = true;
    };
    wire::net::Address from;
    bool done = false;
    Loop::current().spawn(late(listener, from, done));  // starts now: the accept waits
    Stream last = co_await wire::io::connect(listener.local_address());
    for (int i = 0; i < 5000 && !done; ++i) co_await sleep_for(1ms);
    EXPECT_TRUE(done);
    EXPECT_EQ(from, last.local_address());
  };
  run_bounded(body());
}

TEST(Listener, CloseCancelsAPendingAccept) {
  auto body = []() -> Task<void> {
    Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
    auto closer = [](Listener& l) -> Task<void> {
      co_await sleep_for(10ms);
      l.close();
    };
    Loop::current().spawn(closer(listener));
    std::error_code ec;
    auto accepted = co_await listener.accept(ec);
    EXPECT_EQ(ec, std::errc::operation_canceled);
    EXPECT_FALSE(accepted.stream.is_open());

    Listener second(wire::net::tcp_listen("127.0.0.1", 0));
    Loop::current().spawn(closer(second));
    try {
      co_await second.accept();
      ADD_FAILURE() << "accepted";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::operation_canceled) << e.what();
      EXPECT_NE(std::string(e.what()).find("accept"), std::string::npos) << e.what();
    }
    try {
      co_await second.accept();
      ADD_FAILURE() << "accepted";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::bad_file_descriptor) << e.what();
      EXPECT_NE(std::string(e.what()).find("accept"), std::string::npos) << e.what();
    }
  };
  run_bounded(body());
}

// --- connect -----------------------------------------------------------------------------

TEST(Connect, RefusedPortThrowsConnectionRefused) {
  auto refusing = wire::test::refusing_port();
  auto body = [](wire::net::Address address) -> Task<void> {
    auto start = Clock::now();
    try {
      co_await wire::io::connect(address, 10s);
      ADD_FAILURE() << "connected";
    } catch (const wire::TimeoutError& e) {
      ADD_FAILURE() << "timed out: " << e.what();
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::error_code(ECONNREFUSED, std::system_category()));
      EXPECT_NE(std::string(e.what()).find("connect to " + address.to_string()), std::string::npos)
          << e.what();
    }
    EXPECT_LT(Clock::now() - start, 5s);
    // Without a timeout too.
    EXPECT_THROW(co_await wire::io::connect(address), std::system_error);
  };
  run_bounded(body(refusing.address));
}

TEST(Connect, HangingListenerTimesOut) {
  auto hanging = wire::test::hanging_listener();
  auto body = [](wire::net::Address address) -> Task<void> {
    auto start = Clock::now();
    EXPECT_THROW(co_await wire::io::connect(address, 300ms), wire::TimeoutError);
    auto took = Clock::now() - start;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 10s);
    // By host and port, bounded by the overall timeout.
    start = Clock::now();
    try {
      co_await wire::io::connect(address.host(), address.port(), 300ms);
      ADD_FAILURE() << "connected";
    } catch (const wire::TimeoutError& e) {
      EXPECT_NE(std::string(e.what()).find("connect to 127.0.0.1:"), std::string::npos) << e.what();
    }
    took = Clock::now() - start;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 10s);
  };
  run_bounded(body(hanging.address));
}

TEST(Connect, ByHostName) {
  auto body = []() -> Task<void> {
    Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
    auto port = listener.local_address().port();
    Loop::current().spawn(echo_server(listener, 1));
    // "localhost" may resolve to ::1 first, which refuses: the next address wins.
    Stream s = co_await wire::io::connect("localhost", port, 10s);
    EXPECT_EQ(s.peer_address(), listener.local_address());
    co_await s.write_all(bytes_of("ping"));
    std::string reply(4, '\0');
    co_await s.read_exactly(std::as_writable_bytes(std::span(reply)));
    EXPECT_EQ(reply, "ping");
  };
  run_bounded(body());
}

// connect() and Listener work for Unix stream sockets too.
TEST(Connect, UnixSocket) {
  wire::test::TempDir dir;
  const std::string path = (dir / "echo.sock").string();
  auto body = [](std::string where) -> Task<void> {
    Listener listener(wire::net::unix_listen(where));
    Loop::current().spawn(echo_server(listener, 1));
    Stream s = co_await wire::io::connect(wire::net::Address::unix_path(where), 10s);
    const Bytes data = wire::test::random_bytes(300'000, 11);
    auto writer = [](Stream& st, const Bytes& d) -> Task<void> {
      co_await st.write_all(d);
      st.shutdown_write();
    };
    Loop::current().spawn(writer(s, data));
    Bytes echoed = co_await read_to_eof(s, 10'000);
    EXPECT_TRUE(echoed == data);
  };
  run_bounded(body(path));
}

TEST(Connect, ByHostNameRefusedEverywhere) {
  auto refusing = wire::test::refusing_port();
  auto body = [](std::uint16_t port) -> Task<void> {
    try {
      co_await wire::io::connect("127.0.0.1", port, 10s);
      ADD_FAILURE() << "connected";
    } catch (const wire::TimeoutError& e) {
      ADD_FAILURE() << "timed out: " << e.what();
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::error_code(ECONNREFUSED, std::system_category()));
      EXPECT_NE(std::string(e.what()).find("connect to 127.0.0.1:"), std::string::npos) << e.what();
    }
  };
  run_bounded(body(refusing.address.port()));
}

}  // namespace
