// SPDX-License-Identifier: MIT
// Budgets of `wire tcp serve --echo` (bench/echo.sh's wire server; issue 15, point 6), counted,
// not timed: the system calls and allocations its worker makes per echoed message, and the heap
// it holds per idle connection. The server is the command's own connection task
// (tools/wire/tcp_answer.cpp) on io::TcpServer with one worker, as `--threads 1 --quiet` runs
// it; the counting layer is the HTTP budgets' (tests/http/budget_counters.h: the executable's
// own libc entry points and operator new, the test's thread excluded), and a window opens and
// closes with the worker parked in epoll_wait, so the counts are exact. Each budget is a number
// with its origin beside it; a change that makes the echo do more fails here.
#include <gtest/gtest.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "budget_counters.h"
#include "budget_window.hpp"
#include "support/net.hpp"
#include "support/wait.hpp"
#include "tcp_answer.hpp"
#include "wire/io/tcp_server.hpp"

namespace {

namespace io = wire::io;
using namespace std::chrono_literals;

using wire::test::budget::Calls;
using wire::test::budget::count_while;
using wire::test::budget::expect_within;
using wire::test::budget::wait_parked;

// A blocking client socket connected to 127.0.0.1:port (TCP_NODELAY, as bench/echo_client).
int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `message` and reads the same number of bytes back; whether they are the message.
bool echo_once(int fd, const std::string& message) {
  if (::send(fd, message.data(), message.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(message.size())) return false;
  std::string back(message.size(), '\0');
  if (::recv(fd, back.data(), back.size(), MSG_WAITALL) != static_cast<ssize_t>(back.size())) return false;
  return back == message;
}

class EchoBudget : public testing::Test {
 protected:
  void SetUp() override {
    wire_budget_exclude_this_thread();
    answer_.echo = true;  // --echo --quiet: no printer
    io::ServerOptions options;
    options.host = "127.0.0.1";
    options.threads = 1;  // bench/echo.sh's --threads 1
    options.limits.max_connections = 20'000;
    options.limits.idle_timeout = 120s;  // no idle deadline passes during a test
    server_.emplace(options, [this](io::Stream& stream, const wire::net::Address& peer) {
      return wire::cli::answer_connection(stream, peer, answer_);
    });
    server_->start();
    port_ = server_->local_address().port();
  }
  void TearDown() override {
    wire_budget_release();
    if (server_) server_->shutdown(5s);
  }

  wire::cli::AnswerOptions answer_;
  std::optional<io::TcpServer> server_;
  std::uint16_t port_ = 0;
};

// --- the budgets: what this code makes (the default RelWithDebInfo build, glibc 2.36, Linux
// 6.x), each checked against `strace -f` of `wire tcp serve --echo --quiet --threads 1` under
// bench/echo_client when they were set.

// Per 64-byte message on a connection that waits between messages, as bench/echo.sh's
// ping-pong does: the wake-up (epoll_wait), one recv, one send. The read hint (wire::io) skips
// the recv that would only say EAGAIN; the send is tried at once (Stream::try_write_some).
// With 64 connections busy at once epoll_wait is shared by the ready ones, so the benchmark
// sees fewer than one per message; here, one connection, it is one.
const Calls kPerMessage = {{"epoll_wait", 1}, {"recv", 1}, {"send", 1}};
// Allocations per message: none. The read lands in the worker's one buffer and the answer is
// sent from it; the waits' awaiters and timer nodes live in the connection's frame.
constexpr unsigned long kPerMessageAllocations = 0;

// Heap held per idle connection after one echo, from mallinfo2 (every arena): the blocks an idle
// connection holds, malloc's chunk header and rounding included. Measured 864 bytes (9,872
// connections): TcpServer's connection frame (344 bytes asked), the echo loop's frame
// (answer_messages, 336), Loop::spawn's wrapper frame (88) and the stream's epoll state
// (io::detail::IoState, 40), the rest the loop's vectors (timers, states) grown to 10,000.
// Before issue 15's point 6 the same count was 1,520 bytes (malloc_stats of bench/echo.sh's
// wire server, 10,000 connections): a frame in between for every connection (answer_connection,
// 392 bytes, with a slot for a tls::AsyncStream and the peer's name even for plain --quiet
// connections) and a loop frame of 568 (a write awaiter, a vector and write_all's task beside
// the read). The budget leaves 16 bytes of slack for the allocator's rounding; a new block held
// per connection (32 bytes at least) goes over it. bench/echo.sh's target is 1 KiB.
constexpr double kIdleConnectionBytes = 880;

TEST_F(EchoBudget, PerMessage) {
  int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  const std::string message(64, 'e');
  ASSERT_TRUE(echo_once(fd, message));  // warm: accepted, first read done
  constexpr unsigned long kMessages = 64;
  auto n = count_while([&] {
    for (unsigned long i = 0; i < kMessages; ++i) ASSERT_TRUE(echo_once(fd, message)) << i;
  });
  ::close(fd);
  expect_within(n.calls, kPerMessage, kMessages);
  EXPECT_EQ(n.calls["recv"], kMessages);  // one read per message, no EAGAIN read
  EXPECT_EQ(n.calls["send"], kMessages);
  EXPECT_LE(n.allocations, kPerMessageAllocations * kMessages);
}

// Heap held per idle connection: `idle` connections, each after one echo; measured from the
// allocator (mallinfo2: bytes in use, every arena), not RSS. The client sockets are raw
// descriptors in a vector reserved beforehand, so what grows is the server's.
TEST_F(EchoBudget, IdleConnectionHeap) {
  // Two descriptors a connection in this one process (client and server).
  const std::size_t limit = wire::test::raise_fd_limit(2 * 10'000 + 256);
  const std::size_t idle = std::min<std::size_t>(10'000, (limit - 256) / 2);
  const std::string message = "x";
  {  // warm: the worker's buffer, the loop's pools, the frame cache's first blocks
    int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(echo_once(fd, message));
    ::close(fd);
  }
  std::vector<int> fds;
  fds.reserve(idle);
  wait_parked();
  const std::size_t before = ::mallinfo2().uordblks;
  for (std::size_t i = 0; i < idle; ++i) {
    int fd = connect_to(port_);
    ASSERT_GE(fd, 0) << i;
    fds.push_back(fd);
    ASSERT_TRUE(echo_once(fd, message)) << i;
  }
  wait_parked();
  const std::size_t after = ::mallinfo2().uordblks;
  ASSERT_EQ(server_->connections(), idle);
  for (int fd : fds) ::close(fd);
  const double per_connection = static_cast<double>(after - before) / static_cast<double>(idle);
  EXPECT_LE(per_connection, kIdleConnectionBytes) << "over " << idle << " idle connections";
  RecordProperty("idle_connections", static_cast<int>(idle));
  RecordProperty("bytes_per_idle_connection", static_cast<int>(per_connection));
  std::printf("heap per idle echo connection: %.1f bytes over %zu connections\n", per_connection, idle);
}

}  // namespace
