// SPDX-License-Identifier: MIT
// 8 MiB through small socket buffers: partial writes, odd-sized reads, byte-for-byte
// comparison; blocking sockets and sockets with a timeout (the poll() path).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <string>
#include <vector>

#include "support/net.hpp"
#include "support/random.hpp"
#include "support/wait.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using wire::net::Family;
using wire::net::Socket;
using wire::net::SocketType;
using wire::test::Background;

constexpr std::size_t kSize = 8 << 20;
// Read sizes cycled through by the receiver: odd, mostly smaller than what is queued.
constexpr std::array<std::size_t, 8> kChunks{1, 7, 333, 4093, 65537, 2, 1021, 12289};

struct Case {
  std::string host;
  bool with_timeout;  // false: blocking sockets; true: a timeout on both, so poll() waits
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.host << (c.with_timeout ? " with timeout" : " blocking");
}

class TransferTest : public testing::TestWithParam<Case> {
 protected:
  // A connection whose client has a small send buffer and whose server has a small
  // receive buffer (set before the handshake so the window is small from the start).
  wire::test::TcpPair small_buffer_pair() {
    const auto& host = GetParam().host;
    wire::test::TcpPair p;
    auto any = wire::net::Address::ip(host, 0);
    p.listener = Socket(any.family(), SocketType::stream);
    p.listener.set_receive_buffer_size(4096);
    p.listener.bind(any);
    p.listener.listen();
    p.client = Socket(any.family(), SocketType::stream);
    p.client.set_send_buffer_size(4096);
    p.client.connect(p.listener.local_address());
    p.server = p.listener.accept().socket;
    if (GetParam().with_timeout) {
      // Generous: the timeout is not what is tested here, the poll() path is.
      p.client.set_timeout(60s);
      p.server.set_timeout(60s);
    }
    return p;
  }
};

INSTANTIATE_TEST_SUITE_P(
    Loopback, TransferTest,
    testing::Values(Case{"127.0.0.1", false}, Case{"127.0.0.1", true}, Case{"::1", false},
                    Case{"::1", true}),
    [](const testing::TestParamInfo<Case>& param) {
      return wire::test::loopback_name(param.param.host) +
             (param.param.with_timeout ? "_timeout" : "_blocking");
    });

// Index of the first differing byte, or npos.
std::size_t first_difference(const std::vector<std::byte>& a, const std::vector<std::byte>& b) {
  auto [x, y] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (x == a.end() && y == b.end()) return std::string::npos;
  return static_cast<std::size_t>(x - a.begin());
}

TEST_P(TransferTest, SendAllThenRecvInOddChunks) {
  auto p = small_buffer_pair();
  EXPECT_LE(p.client.send_buffer_size(), 64 * 1024);
  const auto data = wire::test::random_bytes(kSize, 8);

  Background sender([&] {
    p.client.send_all(data);
    p.client.shutdown(wire::net::Shutdown::write);
  });
  std::vector<std::byte> got(kSize);
  std::size_t total = 0;
  std::size_t reads = 0;
  // Bounded: each recv returns at least one byte or 0 (end of stream).
  while (total < kSize) {
    std::size_t want = std::min(kChunks[reads % kChunks.size()], kSize - total);
    std::size_t n = p.server.recv(std::span(got).subspan(total, want));
    ASSERT_LE(n, want);
    if (n == 0) break;
    total += n;
    ++reads;
  }
  sender.join();
  ASSERT_EQ(total, kSize);
  EXPECT_EQ(p.server.recv(16), "");  // then end of stream
  EXPECT_EQ(first_difference(got, data), std::string::npos);
}

// One send() through a small buffer takes only part of 8 MiB when the socket has a
// timeout (non-blocking underneath); send_all() delivers the rest.
TEST_P(TransferTest, PartialSendThenSendAllAndRecvExactly) {
  auto p = small_buffer_pair();
  const auto data = wire::test::random_bytes(kSize, 9);
  std::size_t first = 0;

  Background sender([&] {
    first = p.client.send(data);
    p.client.send_all(std::span(data).subspan(first));
  });
  std::vector<std::byte> got(kSize);
  std::size_t total = 0;
  for (std::size_t i = 0; total < kSize; ++i) {
    std::size_t n = std::min(kChunks[i % kChunks.size()], kSize - total);
    p.server.recv_exactly(std::span(got).subspan(total, n));
    total += n;
  }
  sender.join();
  EXPECT_GT(first, 0u);
  if (GetParam().with_timeout) {
    EXPECT_LT(first, kSize) << "a non-blocking send should have been partial";
  }
  EXPECT_EQ(first_difference(got, data), std::string::npos);
}

// Both directions at once: neither side may block the other.
TEST_P(TransferTest, FullDuplex) {
  auto p = small_buffer_pair();
  const auto up = wire::test::random_bytes(kSize / 4, 10);
  const auto down = wire::test::random_bytes(kSize / 4, 11);
  std::vector<std::byte> got_up(up.size()), got_down(down.size());
  Background client_sends([&] { p.client.send_all(up); });
  Background server_sends([&] { p.server.send_all(down); });
  Background client_reads([&] { p.client.recv_exactly(got_down); });
  p.server.recv_exactly(got_up);
  client_sends.join();
  server_sends.join();
  client_reads.join();
  EXPECT_EQ(first_difference(got_up, up), std::string::npos);
  EXPECT_EQ(first_difference(got_down, down), std::string::npos);
}

}  // namespace
