// SPDX-License-Identifier: MIT
// Timeouts (wire::TimeoutError) and non-blocking mode.
#include <gtest/gtest.h>

#include <string>
#include <system_error>
#include <vector>

#include "support/net.hpp"
#include "wire/error.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using wire::net::Address;
using wire::net::Family;
using wire::net::Socket;
using wire::net::SocketType;

class TimeoutTest : public testing::TestWithParam<std::string> {
 protected:
  const std::string& host() const { return GetParam(); }
  Family family() const { return host() == "::1" ? Family::ipv6 : Family::ipv4; }
};

INSTANTIATE_TEST_SUITE_P(Loopback, TimeoutTest, testing::ValuesIn(wire::test::loopback_hosts()),
                         [](const auto& param) { return wire::test::loopback_name(param.param); });

// Runs fn, expects wire::TimeoutError, and checks it is also a std::system_error
// with std::errc::timed_out whose message starts with `prefix`. Returns the time taken.
template <class F>
Clock::duration expect_timeout(F&& fn, const std::string& prefix) {
  auto start = Clock::now();
  try {
    fn();
    ADD_FAILURE() << "no exception";
  } catch (const wire::TimeoutError& e) {
    const std::system_error& base = e;
    EXPECT_EQ(base.code(), std::errc::timed_out);
    EXPECT_EQ(base.code(), std::make_error_code(std::errc::timed_out));
    EXPECT_TRUE(std::string(e.what()).starts_with(prefix)) << e.what();
    EXPECT_TRUE(std::string(e.what()).ends_with(": Connection timed out")) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception: " << e.what();
  }
  return Clock::now() - start;
}

TEST(Timeout, TimeoutErrorIsASystemError) {
  try {
    wire::throw_error(std::make_error_code(std::errc::timed_out), "op");
  } catch (const std::system_error& e) {
    EXPECT_NE(dynamic_cast<const wire::TimeoutError*>(&e), nullptr);
    EXPECT_EQ(std::string(e.what()), "op: Connection timed out");
  }
  try {
    wire::throw_error(std::make_error_code(std::errc::connection_refused), "op");
  } catch (const std::system_error& e) {
    EXPECT_EQ(dynamic_cast<const wire::TimeoutError*>(&e), nullptr);
    EXPECT_EQ(e.code(), std::errc::connection_refused);
  }
}

TEST(Timeout, SetTimeoutValues) {
  Socket s(Family::ipv4, SocketType::stream);
  EXPECT_EQ(s.timeout(), std::nullopt);
  s.set_timeout(250ms);
  EXPECT_EQ(s.timeout(), std::chrono::milliseconds(250));
  s.set_timeout(-5ms);  // negative means non-blocking, as zero
  EXPECT_EQ(s.timeout(), std::chrono::milliseconds(0));
  s.set_blocking(true);
  EXPECT_EQ(s.timeout(), std::nullopt);
  s.set_blocking(false);
  EXPECT_EQ(s.timeout(), std::chrono::milliseconds(0));
  s.set_timeout(std::nullopt);
  EXPECT_EQ(s.timeout(), std::nullopt);
}

TEST_P(TimeoutTest, RecvFromSilentPeerTimesOut) {
  auto p = wire::test::tcp_pair(host());
  p.client.set_timeout(100ms);
  auto prefix = "recv from " + p.listener.local_address().to_string() + ": ";
  auto took = expect_timeout([&] { p.client.recv(10); }, prefix);
  EXPECT_GE(took, 100ms);
  EXPECT_LT(took, 10s);

  std::array<std::byte, 10> buf{};
  std::error_code ec;
  EXPECT_EQ(p.client.recv(buf, ec), 0u);
  EXPECT_EQ(ec, std::errc::timed_out);

  // The socket still works after a timeout.
  p.server.send_all("late");
  EXPECT_EQ(p.client.recv_exactly(4), "late");
}

TEST_P(TimeoutTest, RecvExactlyTimeoutBoundsTheWholeCall) {
  auto p = wire::test::tcp_pair(host());
  p.server.send_all("ab");
  p.client.set_timeout(100ms);
  std::array<std::byte, 5> buf{};
  std::error_code ec;
  EXPECT_EQ(p.client.recv_exactly(buf, ec), 2u);
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_EQ(buf[1], std::byte{'b'});
  p.server.send_all("cd");
  expect_timeout([&] { p.client.recv_exactly(5); }, "recv from ");
}

TEST_P(TimeoutTest, RecvUntilTimesOut) {
  auto p = wire::test::tcp_pair(host());
  p.server.send_all("no delimiter yet");
  p.client.set_timeout(100ms);
  std::error_code ec;
  auto got = p.client.recv_until("\n", 1000, ec);
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_EQ(got, "no delimiter yet");  // what was consumed before the timeout
  expect_timeout([&] { p.client.recv_until("\n", 1000); }, "recv from ");
}

TEST_P(TimeoutTest, AcceptTimesOut) {
  auto listener = wire::net::tcp_listen(host(), 0);
  listener.set_timeout(100ms);
  expect_timeout([&] { listener.accept(); }, "accept on " + listener.local_address().to_string());
  std::error_code ec;
  auto accepted = listener.accept(ec);
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_FALSE(accepted.socket.is_open());
}

TEST_P(TimeoutTest, SendAllTimesOutWhenPeerDoesNotRead) {
  auto p = wire::test::tcp_pair(host());
  p.client.set_send_buffer_size(4096);
  p.server.set_receive_buffer_size(4096);
  p.client.set_timeout(200ms);
  std::string big(32 << 20, 'x');  // far more than both buffers hold
  std::error_code ec;
  auto sent = p.client.send_all(std::as_bytes(std::span(big)), ec);
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_GT(sent, 0u);
  EXPECT_LT(sent, big.size());
  auto took = expect_timeout([&] { p.client.send_all(big); }, "send to ");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 10s);
}

TEST_P(TimeoutTest, ConnectTimesOut) {
  auto hanging = wire::test::hanging_listener(host());
  Socket s(family(), SocketType::stream);
  s.set_timeout(200ms);
  auto took = expect_timeout([&] { s.connect(hanging.address); },
                             "connect to " + hanging.address.to_string() + ": ");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 10s);

  Socket t(family(), SocketType::stream);
  t.set_timeout(100ms);
  std::error_code ec;
  t.connect(hanging.address, ec);
  EXPECT_EQ(ec, std::errc::timed_out);
}

TEST_P(TimeoutTest, TcpConnectTimesOut) {
  auto hanging = wire::test::hanging_listener(host());
  std::vector<Address> addresses{hanging.address};
  auto took = expect_timeout(
      [&] { wire::net::tcp_connect(addresses, {.timeout = 300ms}); },
      "connect to " + hanging.address.to_string() + ": ");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 10s);

  std::error_code ec;
  auto s = wire::net::tcp_connect(addresses, {.timeout = 100ms}, ec);
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_FALSE(s.is_open());

  // The host-name form too.
  expect_timeout([&] { wire::net::tcp_connect(host(), hanging.address.port(), 200ms); },
                 "connect to " + hanging.address.to_string() + ": ");
}

TEST_P(TimeoutTest, NonBlockingRecvOnEmptySocket) {
  auto p = wire::test::tcp_pair(host());
  p.client.set_blocking(false);
  std::array<std::byte, 10> buf{};
  std::error_code ec;
  auto start = Clock::now();
  EXPECT_EQ(p.client.recv(buf, ec), 0u);
  EXPECT_EQ(ec, std::errc::resource_unavailable_try_again);
  EXPECT_LT(Clock::now() - start, 5s);
  try {
    p.client.recv(10);
    FAIL() << "no exception";
  } catch (const wire::TimeoutError&) {
    FAIL() << "non-blocking mode must not report a timeout";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::resource_unavailable_try_again);
  }
  // Data present: a non-blocking recv returns it.
  p.server.send_all("now");
  EXPECT_EQ(p.client.recv(10), "now");
}

TEST_P(TimeoutTest, NonBlockingAcceptAndConnect) {
  auto listener = wire::net::tcp_listen(host(), 0);
  listener.set_blocking(false);
  std::error_code ec;
  auto none = listener.accept(ec);
  EXPECT_EQ(ec, std::errc::resource_unavailable_try_again);
  EXPECT_FALSE(none.socket.is_open());

  Socket client(family(), SocketType::stream);
  client.set_blocking(false);
  client.connect(listener.local_address(), ec);
  // A non-blocking connect is in progress, or (loopback) done at once.
  EXPECT_TRUE(!ec || ec == std::errc::operation_in_progress) << ec.message();
}

}  // namespace
