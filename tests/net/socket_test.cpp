// SPDX-License-Identifier: MIT
// wire::net::Socket over TCP loopback (IPv4 and IPv6): set-up, data, recv_until,
// peer closes and resets, options, error messages.
#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>

#include "support/net.hpp"
#include "support/random.hpp"
#include "support/wait.hpp"
#include "wire/error.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using wire::net::Address;
using wire::net::Family;
using wire::net::Socket;
using wire::net::SocketType;
using wire::test::Background;
using wire::test::bytes_queued;
using wire::test::wait_until;

// A timeout no passing test comes near; it turns a hang into a failure.
constexpr std::chrono::milliseconds kGuard = 10s;

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s)); }

class SocketTest : public testing::TestWithParam<std::string> {
 protected:
  const std::string& host() const { return GetParam(); }
  Family family() const { return host() == "::1" ? Family::ipv6 : Family::ipv4; }
  // "127.0.0.1:5" or "[::1]:5", as Address::to_string() prints it.
  std::string host_port(std::uint16_t port) const {
    return (family() == Family::ipv6 ? "[" + host() + "]" : host()) + ":" + std::to_string(port);
  }
};

INSTANTIATE_TEST_SUITE_P(Loopback, SocketTest, testing::ValuesIn(wire::test::loopback_hosts()),
                         [](const auto& param) { return wire::test::loopback_name(param.param); });

TEST(Socket, DefaultHasNoDescriptor) {
  Socket s;
  EXPECT_FALSE(s.is_open());
  EXPECT_FALSE(s);
  EXPECT_EQ(s.fd(), -1);
  EXPECT_EQ(s.timeout(), std::nullopt);
  s.close();  // harmless
  EXPECT_EQ(s.fd(), -1);
}

TEST(Socket, MoveTransfersOwnershipAndTimeout) {
  Socket a(Family::ipv4, SocketType::stream);
  a.set_timeout(1234ms);
  int fd = a.fd();
  ASSERT_GE(fd, 0);
  Socket b(std::move(a));
  EXPECT_EQ(b.fd(), fd);
  EXPECT_EQ(b.timeout(), std::chrono::milliseconds(1234));
  EXPECT_FALSE(a.is_open());  // NOLINT(bugprone-use-after-move): moved-from is documented empty
  Socket c;
  c = std::move(b);
  EXPECT_EQ(c.fd(), fd);
  EXPECT_EQ(c.timeout(), std::chrono::milliseconds(1234));
  int released = c.release();
  EXPECT_EQ(released, fd);
  EXPECT_FALSE(c.is_open());
  Socket d(released);  // takes it back so it is closed
  EXPECT_EQ(d.fd(), fd);
}

TEST(Socket, CloseIsIdempotent) {
  Socket s(Family::ipv4, SocketType::stream);
  s.close();
  EXPECT_FALSE(s.is_open());
  s.close();
  EXPECT_FALSE(s.is_open());
}

TEST_P(SocketTest, ListenAcceptConnect) {
  Socket listener(family(), SocketType::stream);
  listener.bind(Address::ip(host(), 0));
  listener.listen();
  Address server_address = listener.local_address();
  EXPECT_EQ(server_address.host(), host());
  EXPECT_NE(server_address.port(), 0);

  Socket client(family(), SocketType::stream);
  client.connect(server_address);
  auto [conn, peer] = listener.accept();
  ASSERT_TRUE(conn.is_open());
  EXPECT_EQ(peer, client.local_address());
  EXPECT_EQ(conn.peer_address(), client.local_address());
  EXPECT_EQ(conn.local_address(), server_address);
  EXPECT_EQ(client.peer_address(), server_address);
  EXPECT_EQ(conn.timeout(), std::nullopt);  // accepted sockets block, as in Python
}

TEST_P(SocketTest, ErrorCodeFormsOfSetUp) {
  std::error_code ec = std::make_error_code(std::errc::io_error);
  Socket listener(family(), SocketType::stream);
  listener.bind(Address::ip(host(), 0), ec);
  EXPECT_FALSE(ec);
  ec = std::make_error_code(std::errc::io_error);
  listener.listen(16, ec);
  EXPECT_FALSE(ec);
  Socket client(family(), SocketType::stream);
  ec = std::make_error_code(std::errc::io_error);
  client.connect(listener.local_address(), ec);
  EXPECT_FALSE(ec);
  auto accepted = listener.accept(ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(accepted.peer, client.local_address());

  // Binding the same address again fails with EADDRINUSE.
  Socket other(family(), SocketType::stream);
  other.bind(listener.local_address(), ec);
  EXPECT_EQ(ec, std::errc::address_in_use);
}

TEST_P(SocketTest, SendRecv) {
  auto p = wire::test::tcp_pair(host());
  EXPECT_EQ(p.client.send("hello"), 5u);
  // Loopback queues a send at once, so one recv sees all of it.
  EXPECT_EQ(p.server.recv(100), "hello");

  std::string reply = "world!";
  EXPECT_EQ(p.server.send(bytes(reply)), reply.size());
  std::array<std::byte, 64> buf{};
  std::size_t n = p.client.recv(buf);
  ASSERT_EQ(n, reply.size());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), n), reply);
}

TEST_P(SocketTest, SendRecvErrorCodeForms) {
  auto p = wire::test::tcp_pair(host());
  std::error_code ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(p.client.send(bytes("abc"), ec), 3u);
  EXPECT_FALSE(ec);
  std::array<std::byte, 8> buf{};
  ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(p.server.recv(buf, ec), 3u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(buf[0], std::byte{'a'});
  EXPECT_EQ(buf[2], std::byte{'c'});

  ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(p.client.send_all(bytes("defg"), ec), 4u);
  EXPECT_FALSE(ec);
  ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(p.server.recv_exactly(std::span(buf).first(4), ec), 4u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(buf[0], std::byte{'d'});
  EXPECT_EQ(buf[3], std::byte{'g'});
}

TEST_P(SocketTest, SendAllRecvExactly) {
  auto p = wire::test::tcp_pair(host());
  auto data = wire::test::random_string(1 << 20, 1);
  Background sender([&] { p.client.send_all(data); });
  std::string got = p.server.recv_exactly(data.size());
  sender.join();
  EXPECT_TRUE(got == data);
  // The span form fills exactly the buffer and leaves the rest queued.
  p.client.send_all("0123456789");
  std::array<std::byte, 4> four{};
  p.server.recv_exactly(four);
  EXPECT_EQ(four[0], std::byte{'0'});
  EXPECT_EQ(four[3], std::byte{'3'});
  EXPECT_EQ(p.server.recv_exactly(6), "456789");
}

TEST_P(SocketTest, RecvExactlyPeerClosesEarly) {
  auto p = wire::test::tcp_pair(host());
  auto client_address = p.client.local_address();
  p.client.send_all("abc");
  p.client.close();
  try {
    p.server.recv_exactly(5);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), wire::Errc::unexpected_eof);
    EXPECT_EQ(e.code().category(), wire::error_category());
    EXPECT_NE(std::string(e.what()).find("(3 of 5 bytes received)"), std::string::npos) << e.what();
    EXPECT_TRUE(std::string(e.what()).starts_with("recv from " + client_address.to_string() + " "))
        << e.what();
  }
}

TEST_P(SocketTest, RecvExactlyErrorCodeFormReportsCount) {
  auto p = wire::test::tcp_pair(host());
  p.client.send_all("abc");
  p.client.shutdown(wire::net::Shutdown::write);
  std::array<std::byte, 5> buf{};
  std::error_code ec;
  EXPECT_EQ(p.server.recv_exactly(buf, ec), 3u);
  EXPECT_EQ(ec, wire::Errc::unexpected_eof);
  EXPECT_EQ(buf[2], std::byte{'c'});
}

TEST_P(SocketTest, RecvUntilLeavesFollowingBytes) {
  auto p = wire::test::tcp_pair(host(), kGuard);
  p.client.send_all("HELLO\r\nWORLD\r\n\r\nrest");
  EXPECT_EQ(p.server.recv_until("\r\n", 100), "HELLO\r\n");
  EXPECT_EQ(bytes_queued(p.server), 13u);  // "WORLD\r\n\r\nrest" is still in the socket
  EXPECT_EQ(p.server.recv_until("\r\n\r\n", 100), "WORLD\r\n\r\n");
  EXPECT_EQ(p.server.recv_exactly(4), "rest");
}

TEST_P(SocketTest, RecvUntilDelimiterAtExactlyMax) {
  auto p = wire::test::tcp_pair(host(), kGuard);
  p.client.send_all("abcd\nefgh\n");
  EXPECT_EQ(p.server.recv_until("\n", 5), "abcd\n");
  EXPECT_EQ(p.server.recv_until("\n", 5), "efgh\n");
}

// The delimiter arrives in two pieces: the reader must have consumed the first piece
// (queue empty) before the second is sent, so the match straddles two reads.
TEST_P(SocketTest, RecvUntilDelimiterSplitAcrossSends) {
  const std::string delimiter = "\r\n\r\n";
  for (std::size_t split = 1; split < delimiter.size(); ++split) {
    SCOPED_TRACE("split at " + std::to_string(split));
    auto p = wire::test::tcp_pair(host(), kGuard);
    std::string line;
    Background reader([&] { line = p.server.recv_until(delimiter, 1000); });
    p.client.send_all("head" + delimiter.substr(0, split));
    ASSERT_TRUE(wait_until([&] { return bytes_queued(p.server) == 0; }, 10s));
    p.client.send_all(delimiter.substr(split) + "body");
    reader.join();
    EXPECT_EQ(line, "head" + delimiter);
    EXPECT_EQ(p.server.recv_exactly(4), "body");
  }
}

// Byte by byte, with a near-match ("\r\n\r" then "x") before the real delimiter.
TEST_P(SocketTest, RecvUntilFedByteByByte) {
  auto p = wire::test::tcp_pair(host(), kGuard);
  const std::string message = "a\r\n\rx\r\r\n\r\n";
  std::string line;
  Background reader([&] { line = p.server.recv_until("\r\n\r\n", 1000); });
  for (char c : message) {
    p.client.send_all(std::string(1, c));
    ASSERT_TRUE(wait_until([&] { return bytes_queued(p.server) == 0; }, 10s));
  }
  p.client.send_all("tail");
  reader.join();
  EXPECT_EQ(line, message);
  EXPECT_EQ(p.server.recv_exactly(4), "tail");
}

TEST_P(SocketTest, RecvUntilLimitExceeded) {
  auto p = wire::test::tcp_pair(host(), kGuard);
  p.client.send_all("0123456789\n");
  try {
    p.server.recv_until("\n", 5);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), wire::Errc::limit_exceeded);
    EXPECT_FALSE(dynamic_cast<const wire::TimeoutError*>(&e));
    EXPECT_NE(std::string(e.what()).find("no '\n' within 5 bytes"), std::string::npos) << e.what();
  }
  // Exactly `max` bytes were consumed; the rest is still there.
  EXPECT_EQ(p.server.recv_exactly(6), "56789\n");
}

TEST_P(SocketTest, RecvUntilLimitExceededErrorCodeForm) {
  auto p = wire::test::tcp_pair(host(), kGuard);
  p.client.send_all("0123456789\n");
  std::error_code ec;
  EXPECT_EQ(p.server.recv_until("\n", 5, ec), "01234");
  EXPECT_EQ(ec, wire::Errc::limit_exceeded);
  ec.clear();
  EXPECT_EQ(p.server.recv_until("\n", 100, ec), "56789\n");
  EXPECT_FALSE(ec);
}

TEST_P(SocketTest, RecvUntilPeerClosesBeforeDelimiter) {
  auto p = wire::test::tcp_pair(host(), kGuard);
  p.client.send_all("no newline");
  p.client.close();
  try {
    p.server.recv_until("\n", 100);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), wire::Errc::unexpected_eof);
    EXPECT_EQ(std::string(e.code().category().name()), "wire");
  }
}

TEST_P(SocketTest, RecvUntilPeerClosesErrorCodeForm) {
  auto p = wire::test::tcp_pair(host(), kGuard);
  p.client.send_all("partial");
  p.client.shutdown(wire::net::Shutdown::write);
  std::error_code ec;
  EXPECT_EQ(p.server.recv_until("\r\n", 100, ec), "partial");
  EXPECT_EQ(ec, wire::Errc::unexpected_eof);
}

TEST_P(SocketTest, PeerClosedRecvReturnsZero) {
  auto p = wire::test::tcp_pair(host());
  p.client.send_all("last");
  p.client.close();
  EXPECT_EQ(p.server.recv(100), "last");
  EXPECT_EQ(p.server.recv(100), "");
  std::array<std::byte, 8> buf{};
  std::error_code ec;
  EXPECT_EQ(p.server.recv(buf, ec), 0u);
  EXPECT_FALSE(ec);
}

TEST_P(SocketTest, ShutdownWriteHalfCloses) {
  auto p = wire::test::tcp_pair(host());
  p.client.shutdown(wire::net::Shutdown::write);
  EXPECT_EQ(p.server.recv(10), "");
  // The other direction still works.
  p.server.send_all("still open");
  EXPECT_EQ(p.client.recv_exactly(10), "still open");
  EXPECT_THROW(p.client.send("x"), std::system_error);  // EPIPE, and no SIGPIPE
}

// The peer resets (SO_LINGER 0 then close): sending fails with an exception, never
// SIGPIPE. SIGPIPE is left at its default so a missing MSG_NOSIGNAL kills the test.
TEST_P(SocketTest, SendToResetPeerThrowsWithoutSigpipe) {
  struct sigaction current {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &current), 0);
  ASSERT_EQ(current.sa_handler, SIG_DFL) << "SIGPIPE must not be ignored by the test";

  auto p = wire::test::tcp_pair(host());
  p.server.set_linger(0s);
  p.server.close();  // sends RST
  std::error_code error;
  std::string what;
  for (int i = 0; i < 1000 && !error; ++i) {
    try {
      p.client.send("data");
    } catch (const std::system_error& e) {
      error = e.code();
      what = e.what();
    }
  }
  ASSERT_TRUE(error) << "send never failed";
  EXPECT_TRUE(error == std::errc::broken_pipe || error == std::errc::connection_reset)
      << error.message();
  EXPECT_TRUE(what.starts_with("send to " + host_port(p.listener.local_address().port()) + ": "))
      << what;
  // Later sends keep failing (EPIPE), in both forms.
  std::error_code ec;
  EXPECT_EQ(p.client.send(bytes("x"), ec), 0u);
  EXPECT_EQ(ec, std::errc::broken_pipe);
  ec.clear();
  EXPECT_EQ(p.client.send_all(bytes("xyz"), ec), 0u);
  EXPECT_EQ(ec, std::errc::broken_pipe);
  EXPECT_THROW(p.client.send_all("xyz"), std::system_error);
}

TEST_P(SocketTest, RecvFromResetPeerThrowsConnectionReset) {
  auto p = wire::test::tcp_pair(host());
  p.server.set_linger(0s);
  p.server.close();
  try {
    p.client.recv(10);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_reset);
    // The peer is remembered from connect(), so the message still names it.
    EXPECT_EQ(std::string(e.what()), "recv from " + host_port(p.listener.local_address().port()) +
                                         ": Connection reset by peer");
  }
}

TEST_P(SocketTest, ConnectRefusedMessageNamesPeer) {
  auto refusing = wire::test::refusing_port(host());
  auto port = refusing.address.port();
  Socket s(family(), SocketType::stream);
  try {
    s.connect(refusing.address);
    FAIL() << "no exception";
  } catch (const wire::TimeoutError&) {
    FAIL() << "timeout instead of refusal";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
    EXPECT_EQ(std::string(e.what()), "connect to " + host_port(port) + ": Connection refused");
  }
  Socket t(family(), SocketType::stream);
  std::error_code ec;
  t.connect(refusing.address, ec);
  EXPECT_EQ(ec, std::errc::connection_refused);
}

TEST_P(SocketTest, PeerAddressOfUnconnectedSocketThrows) {
  Socket s(family(), SocketType::stream);
  try {
    (void)s.peer_address();
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::not_connected);
  }
}

TEST_P(SocketTest, BindInUseMessageNamesAddress) {
  auto first = wire::net::tcp_listen(host(), 0);
  Socket s(family(), SocketType::stream);
  try {
    s.bind(first.local_address());
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    EXPECT_EQ(std::string(e.what()),
              "bind to " + first.local_address().to_string() + ": Address already in use");
  }
}

TEST_P(SocketTest, BooleanOptions) {
  Socket s(family(), SocketType::stream);
  EXPECT_FALSE(s.reuse_address());
  s.set_reuse_address(true);
  EXPECT_TRUE(s.reuse_address());
  s.set_reuse_address(false);
  EXPECT_FALSE(s.reuse_address());

  EXPECT_FALSE(s.reuse_port());
  s.set_reuse_port(true);
  EXPECT_TRUE(s.reuse_port());
  s.set_reuse_port(false);
  EXPECT_FALSE(s.reuse_port());

  EXPECT_FALSE(s.no_delay());
  s.set_no_delay(true);
  EXPECT_TRUE(s.no_delay());
  s.set_no_delay(false);
  EXPECT_FALSE(s.no_delay());

  EXPECT_FALSE(s.keep_alive());
  s.set_keep_alive(true);
  EXPECT_TRUE(s.keep_alive());
  s.set_keep_alive(false);
  EXPECT_FALSE(s.keep_alive());
}

TEST_P(SocketTest, BufferSizes) {
  Socket s(family(), SocketType::stream);
  s.set_send_buffer_size(64 * 1024);
  EXPECT_GE(s.send_buffer_size(), 64 * 1024);  // Linux doubles the value it is given
  EXPECT_LE(s.send_buffer_size(), 2 * 64 * 1024);
  s.set_receive_buffer_size(96 * 1024);
  EXPECT_GE(s.receive_buffer_size(), 96 * 1024);
  EXPECT_LE(s.receive_buffer_size(), 2 * 96 * 1024);
}

TEST_P(SocketTest, Linger) {
  Socket s(family(), SocketType::stream);
  EXPECT_EQ(s.linger(), std::nullopt);
  s.set_linger(3s);
  EXPECT_EQ(s.linger(), std::chrono::seconds(3));
  s.set_linger(0s);
  EXPECT_EQ(s.linger(), std::chrono::seconds(0));
  s.set_linger(std::nullopt);
  EXPECT_EQ(s.linger(), std::nullopt);
}

TEST_P(SocketTest, V6Only) {
  Socket s(family(), SocketType::stream);
  if (family() == Family::ipv4) {
    // IPV6_V6ONLY exists only on IPv6 sockets.
    EXPECT_THROW(s.set_v6_only(true), std::system_error);
    EXPECT_THROW((void)s.v6_only(), std::system_error);
    return;
  }
  s.set_v6_only(true);
  EXPECT_TRUE(s.v6_only());
  s.set_v6_only(false);
  EXPECT_FALSE(s.v6_only());
}

TEST_P(SocketTest, RawOptions) {
  Socket s(family(), SocketType::stream);
  s.set_option(SOL_SOCKET, SO_KEEPALIVE, 1);
  EXPECT_EQ(s.option(SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_TRUE(s.keep_alive());
  EXPECT_EQ(s.option(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  try {
    s.set_option(SOL_SOCKET, -12345, 1);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_protocol_option);
    EXPECT_TRUE(std::string(e.what()).starts_with("setsockopt(")) << e.what();
  }
  EXPECT_THROW((void)s.option(SOL_SOCKET, -12345), std::system_error);
}

}  // namespace
