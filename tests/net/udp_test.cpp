// SPDX-License-Identifier: MIT
// UDP over loopback: udp_bind(), send_to()/recv_from(), datagram boundaries, truncation.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <system_error>

#include "support/net.hpp"
#include "support/random.hpp"
#include "wire/error.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using wire::net::Address;
using wire::net::Socket;
using wire::net::udp_bind;

class UdpTest : public testing::TestWithParam<std::string> {
 protected:
  const std::string& host() const { return GetParam(); }
  void SetUp() override {
    a = udp_bind(host(), 0);
    b = udp_bind(host(), 0);
    // Datagrams on loopback arrive at once; the timeout only guards against a hang.
    a.set_timeout(5s);
    b.set_timeout(5s);
  }
  Socket a, b;
};

INSTANTIATE_TEST_SUITE_P(Loopback, UdpTest, testing::ValuesIn(wire::test::loopback_hosts()),
                         [](const auto& param) { return wire::test::loopback_name(param.param); });

TEST_P(UdpTest, BindPicksPort) {
  auto local = a.local_address();
  EXPECT_EQ(local.host(), host());
  EXPECT_NE(local.port(), 0);
  EXPECT_NE(local.port(), b.local_address().port());
  EXPECT_EQ(a.option(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
}

TEST_P(UdpTest, SendToRecvFromBothWays) {
  EXPECT_EQ(a.send_to("ping", b.local_address()), 4u);
  auto d = b.recv_from(100);
  EXPECT_EQ(d.data, "ping");
  EXPECT_EQ(d.from, a.local_address());

  EXPECT_EQ(b.send_to("pong!", d.from), 5u);
  auto e = a.recv_from(100);
  EXPECT_EQ(e.data, "pong!");
  EXPECT_EQ(e.from, b.local_address());
}

TEST_P(UdpTest, ErrorCodeForms) {
  std::error_code ec = std::make_error_code(std::errc::io_error);
  std::string msg = "datagram";
  EXPECT_EQ(a.send_to(std::as_bytes(std::span(msg)), b.local_address(), ec), msg.size());
  EXPECT_FALSE(ec);
  std::array<std::byte, 32> buf{};
  Address from;
  ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(b.recv_from(buf, from, ec), msg.size());
  EXPECT_FALSE(ec);
  EXPECT_EQ(from, a.local_address());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), msg.size()), msg);
}

TEST_P(UdpTest, BoundariesPreserved) {
  const std::array<std::string, 4> messages{"x", "yy", "", "zzz"};
  for (const auto& m : messages) a.send_to(m, b.local_address());
  for (const auto& m : messages) {
    auto d = b.recv_from(100);
    EXPECT_EQ(d.data, m);
    EXPECT_EQ(d.from, a.local_address());
  }
}

TEST_P(UdpTest, LargeDatagramIntact) {
  auto big = wire::test::random_string(60000, 3);
  EXPECT_EQ(a.send_to(big, b.local_address()), big.size());
  auto d = b.recv_from(65536);
  EXPECT_EQ(d.data.size(), big.size());
  EXPECT_TRUE(d.data == big);
}

TEST_P(UdpTest, SmallerBufferTruncatesAndDropsTheRest) {
  auto msg = wire::test::random_string(100, 4);
  a.send_to(msg, b.local_address());
  a.send_to("next", b.local_address());
  std::array<std::byte, 10> small{};
  Address from;
  EXPECT_EQ(b.recv_from(small, from), 10u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(small.data()), 10), msg.substr(0, 10));
  EXPECT_EQ(from, a.local_address());
  // The other 90 bytes are gone: the next read is the next datagram.
  EXPECT_EQ(b.recv_from(100).data, "next");
  a.send_to(msg, b.local_address());
  EXPECT_EQ(b.recv_from(7).data, msg.substr(0, 7));
}

TEST_P(UdpTest, RecvFromTimesOut) {
  b.set_timeout(100ms);
  try {
    b.recv_from(100);
    FAIL() << "no exception";
  } catch (const wire::TimeoutError& e) {
    EXPECT_EQ(std::string(e.what()),
              "recvfrom on " + b.local_address().to_string() + ": Connection timed out");
  }
}

TEST_P(UdpTest, ConnectedDatagramSocket) {
  a.connect(b.local_address());
  EXPECT_EQ(a.peer_address(), b.local_address());
  EXPECT_EQ(a.send("via send"), 8u);
  auto d = b.recv_from(100);
  EXPECT_EQ(d.data, "via send");
  EXPECT_EQ(d.from, a.local_address());
  b.send_to("back", a.local_address());
  EXPECT_EQ(a.recv(100), "back");
}

}  // namespace
