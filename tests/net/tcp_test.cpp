// SPDX-License-Identifier: MIT
// tcp_connect() (Happy Eyeballs over resolved addresses and by host name) and tcp_listen().
#include <gtest/gtest.h>

#include <string>
#include <system_error>
#include <vector>

#include "support/net.hpp"
#include "wire/error.hpp"
#include "wire/net/resolver.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using wire::net::Address;
using wire::net::Family;
using wire::net::Socket;
using wire::net::SocketType;
using wire::net::tcp_connect;
using wire::net::tcp_listen;

class TcpConnectTest : public testing::TestWithParam<std::string> {
 protected:
  const std::string& host() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Loopback, TcpConnectTest, testing::ValuesIn(wire::test::loopback_hosts()),
                         [](const auto& param) { return wire::test::loopback_name(param.param); });

// Accepts one connection and checks it is the one `client` made.
void expect_accepted(Socket& listener, const Socket& client) {
  listener.set_timeout(5s);
  auto accepted = listener.accept();
  EXPECT_EQ(accepted.peer, client.local_address());
}

TEST_P(TcpConnectTest, SingleAddress) {
  auto listener = tcp_listen(host(), 0);
  std::vector<Address> addresses{listener.local_address()};
  auto s = tcp_connect(addresses, {.timeout = 5s});
  EXPECT_EQ(s.peer_address(), listener.local_address());
  // The overall timeout becomes the socket's timeout, as in Python's create_connection.
  EXPECT_EQ(s.timeout(), std::chrono::milliseconds(5s));
  expect_accepted(listener, s);
}

// The first address hangs (SYNs dropped); after the attempt delay the second is
// tried and wins, long before the overall timeout a sequential connect would need.
TEST_P(TcpConnectTest, FirstAddressHangsSecondWins) {
  auto hanging = wire::test::hanging_listener(host());
  auto good = tcp_listen(host(), 0);
  std::vector<Address> addresses{hanging.address, good.local_address()};
  auto start = Clock::now();
  auto s = tcp_connect(addresses, {.timeout = 3s, .attempt_delay = 250ms});
  auto took = Clock::now() - start;
  EXPECT_EQ(s.peer_address(), good.local_address());
  EXPECT_GE(took, 250ms);  // the second attempt waited for the attempt delay
  EXPECT_LT(took, 3s);
  expect_accepted(good, s);
}

// A refused attempt starts the next one at once, without waiting for the delay.
TEST_P(TcpConnectTest, FirstAddressRefusedSecondWins) {
  auto refusing = wire::test::refusing_port(host());
  auto good = tcp_listen(host(), 0);
  std::vector<Address> addresses{refusing.address, good.local_address()};
  auto start = Clock::now();
  auto s = tcp_connect(addresses, {.timeout = 10s, .attempt_delay = 3s});
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(s.peer_address(), good.local_address());
  expect_accepted(good, s);
}

TEST_P(TcpConnectTest, AllRefused) {
  auto a = wire::test::refusing_port(host());
  auto b = wire::test::refusing_port(host());
  std::vector<Address> addresses{a.address, b.address};
  try {
    tcp_connect(addresses, {.timeout = 5s});
    FAIL() << "no exception";
  } catch (const wire::TimeoutError& e) {
    FAIL() << "timeout instead of refusal: " << e.what();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
    EXPECT_EQ(e.code().value(), ECONNREFUSED);
    EXPECT_TRUE(std::string(e.what()).starts_with("connect to ")) << e.what();
    EXPECT_EQ(std::string(e.what()), "connect to " + a.address.to_string() + ", " +
                                         b.address.to_string() + ": Connection refused");
  }
  std::error_code ec;
  auto s = tcp_connect(addresses, {.timeout = 5s}, ec);
  EXPECT_EQ(ec, std::errc::connection_refused);
  EXPECT_FALSE(s.is_open());
}

TEST(TcpConnect, NoAddresses) {
  std::vector<Address> none;
  std::error_code ec;
  auto s = tcp_connect(none, {}, ec);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(s.is_open());
  EXPECT_THROW(tcp_connect(none), std::system_error);
}

// RFC 8305 §4: families alternate. With [v4 hanging, v4 good, v6 good] the attempt
// after the delay goes to the IPv6 address, not to the next IPv4 one (and the other
// way round when IPv6 comes first).
TEST(TcpConnect, InterleavesAddressFamilies) {
  for (const std::string first : {"127.0.0.1", "::1"}) {
    SCOPED_TRACE("first family " + first);
    const std::string other = first == "::1" ? "127.0.0.1" : "::1";
    auto hanging = wire::test::hanging_listener(first);
    auto same_family = tcp_listen(first, 0);
    auto other_family = tcp_listen(other, 0);
    std::vector<Address> addresses{hanging.address, same_family.local_address(),
                                   other_family.local_address()};
    auto s = tcp_connect(addresses, {.timeout = 5s, .attempt_delay = 100ms});
    EXPECT_EQ(s.peer_address(), other_family.local_address());
    expect_accepted(other_family, s);
  }
}

TEST(TcpConnect, ByHostName) {
  auto listener = tcp_listen("127.0.0.1", 0);
  auto port = listener.local_address().port();
  auto s = tcp_connect("localhost", port, 5s);
  EXPECT_EQ(s.peer_address(), listener.local_address());
  EXPECT_EQ(s.timeout(), std::chrono::milliseconds(5s));
  expect_accepted(listener, s);

  auto v6 = tcp_listen("::1", 0);
  auto t = tcp_connect("::1", v6.local_address().port());
  EXPECT_EQ(t.peer_address(), v6.local_address());
  auto u = tcp_connect("[::1]", v6.local_address().port());
  EXPECT_EQ(u.peer_address(), v6.local_address());
}

TEST(TcpConnect, ByHostNameRefusedMessage) {
  auto v4 = wire::test::refusing_port("127.0.0.1");
  try {
    tcp_connect("127.0.0.1", v4.address.port(), 5s);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
    EXPECT_EQ(std::string(e.what()),
              "connect to 127.0.0.1:" + std::to_string(v4.address.port()) + ": Connection refused");
  }
  auto v6 = wire::test::refusing_port("::1");
  try {
    tcp_connect("::1", v6.address.port(), 5s);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "connect to [::1]:" + std::to_string(v6.address.port()) + ": Connection refused");
  }
}

TEST(TcpConnect, ByHostNameUnresolvable) {
  try {
    tcp_connect("nosuch.invalid", 80, 5s);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().category(), wire::resolver_category());
    EXPECT_NE(std::string(e.what()).find("nosuch.invalid"), std::string::npos) << e.what();
  }
}

TEST(TcpListen, PortZeroPicksAPort) {
  auto s = tcp_listen("127.0.0.1", 0);
  auto a = s.local_address();
  EXPECT_TRUE(a.is_ipv4());
  EXPECT_EQ(a.host(), "127.0.0.1");
  EXPECT_NE(a.port(), 0);
  EXPECT_TRUE(s.reuse_address());
  EXPECT_EQ(s.option(SOL_SOCKET, SO_ACCEPTCONN), 1);
}

TEST(TcpListen, Ipv6Loopback) {
  auto s = tcp_listen("::1", 0);
  EXPECT_EQ(s.local_address().host(), "::1");
  EXPECT_NE(s.local_address().port(), 0);
}

TEST(TcpListen, LocalhostBindsIpv4Loopback) {
  auto s = tcp_listen("localhost", 0);
  EXPECT_EQ(s.local_address().host(), "127.0.0.1");
}

// "" and "::" listen on every address of both families.
TEST(TcpListen, DualStack) {
  for (const char* host : {"", "::"}) {
    SCOPED_TRACE(std::string("host '") + host + "'");
    auto listener = tcp_listen(host, 0);
    auto local = listener.local_address();
    ASSERT_TRUE(local.is_ipv6());
    EXPECT_EQ(local.host(), "::");
    EXPECT_FALSE(listener.v6_only());
    auto port = local.port();
    listener.set_timeout(5s);

    Socket v4(Family::ipv4, SocketType::stream);
    v4.connect(Address::ip("127.0.0.1", port));
    auto a = listener.accept();
    EXPECT_EQ(a.peer.host(), "::ffff:127.0.0.1");  // an IPv4 peer, IPv4-mapped
    EXPECT_EQ(a.peer.port(), v4.local_address().port());
    EXPECT_TRUE(a.peer.is_loopback());

    Socket v6(Family::ipv6, SocketType::stream);
    v6.connect(Address::ip("::1", port));
    auto b = listener.accept();
    EXPECT_EQ(b.peer, v6.local_address());

    v4.send_all("4");
    v6.send_all("6");
    EXPECT_EQ(a.socket.recv_exactly(1), "4");
    EXPECT_EQ(b.socket.recv_exactly(1), "6");
  }
}

TEST(TcpListen, PortInUse) {
  auto first = tcp_listen("127.0.0.1", 0);
  auto port = first.local_address().port();
  try {
    tcp_listen("127.0.0.1", port);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    EXPECT_EQ(e.code().value(), EADDRINUSE);
    std::string what = e.what();
    EXPECT_NE(what.find("bind to 127.0.0.1:" + std::to_string(port)), std::string::npos) << what;
    EXPECT_EQ(what, "bind to 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  }
}

TEST(TcpListen, UnresolvableHost) {
  EXPECT_THROW(tcp_listen("nosuch.invalid", 0), std::system_error);
}

}  // namespace
