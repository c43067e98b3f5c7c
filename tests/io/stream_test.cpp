// SPDX-License-Identifier: MIT
// wire::io::Stream over loopback: echo, EOF, exact and delimited reads, big and vectored
// writes, sendfile, timeouts (Listener and connect(): listener_test.cpp).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "support/net.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "io_helpers.hpp"
#include "wire/error.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace wire::test::io;

// Collects into `out` (for a spawned reader, which returns nothing).
Task<void> collect(Stream& s, Bytes& out, bool& finished, std::size_t chunk = 64 * 1024,
                   Clock::duration pause = {}) {
  out = co_await read_to_eof(s, chunk, pause);
  finished = true;
}

// Writes `iov` with write_all() from `server`, shuts down, and checks `client`
// reads exactly `expected` (collected `chunk` bytes at a time). True if it did.
Task<bool> writev_delivers(Stream& client, Stream& server, std::span<const iovec> iov,
                           const Bytes& expected, std::size_t chunk = 64 * 1024) {
  Bytes got;
  bool finished = false;
  Loop::current().spawn(collect(client, got, finished, chunk));
  co_await server.write_all(iov);
  server.shutdown_write();
  for (int i = 0; i < 10000 && !finished; ++i) co_await sleep_for(1ms);
  EXPECT_TRUE(finished);
  if (!finished) co_return false;
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
  co_return got == expected;
}

// --- echo, EOF -----------------------------------------------------------------

class StreamEcho : public testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Loopback, StreamEcho, testing::ValuesIn(wire::test::loopback_hosts()),
                         [](const auto& param) { return wire::test::loopback_name(param.param); });

TEST_P(StreamEcho, EchoesEveryByteThenEof) {
  auto body = [](std::string host) -> Task<void> {
    Listener listener(wire::net::tcp_listen(host, 0));
    Loop::current().spawn(echo_server(listener, 1));
    Stream client = co_await wire::io::connect(listener.local_address());
    EXPECT_EQ(client.peer_address(), listener.local_address());

    co_await client.write_all(bytes_of("hello"));
    std::string hello(5, '\0');
    co_await client.read_exactly(std::as_writable_bytes(std::span(hello)));
    EXPECT_EQ(hello, "hello");

    // 1 MiB each way at once: a spawned writer, this task reads.
    const Bytes data = wire::test::random_bytes(1 << 20, 1);
    auto writer = [](Stream& s, const Bytes& d) -> Task<void> {
      co_await s.write_all(d);
      s.shutdown_write();  // the server then sees EOF and closes
    };
    Loop::current().spawn(writer(client, data));
    Bytes echoed = co_await read_to_eof(client, 50'000);
    EXPECT_EQ(echoed.size(), data.size());
    EXPECT_TRUE(echoed == data);
    // EOF stays EOF.
    Bytes buf(16);
    EXPECT_EQ(co_await client.read_some(buf), 0u);
    EXPECT_EQ(co_await client.read_some(buf), 0u);
  };
  run_bounded(body(GetParam()));
}

TEST(Stream, ReadSomeReturnsZeroAtEof) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    co_await server.write_all(bytes_of("bye"));
    server.close();
    EXPECT_FALSE(server.is_open());
    Bytes buf(100);
    std::error_code ec;
    std::size_t n = co_await client.read_some(buf, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(text_of(std::span(buf).first(n)), "bye");
    // wait_readable() reports EOF as readable, then read_some() gives 0.
    co_await client.wait_readable(ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(co_await client.read_some(buf, ec), 0u);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(co_await client.read_some(buf), 0u);
  };
  run_bounded(body());
}

// A read that waits (no data yet) and is then woken by the peer's close.
TEST(Stream, PendingReadSeesEof) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    auto closer = [](Stream& s) -> Task<void> {
      co_await sleep_for(20ms);
      s.close();
    };
    Loop::current().spawn(closer(server));
    Bytes buf(100);
    EXPECT_EQ(co_await client.read_some(buf), 0u);
  };
  run_bounded(body());
}

// Closing a stream skips EPOLL_CTL_DEL: the close takes the socket out of epoll. While
// another descriptor keeps the socket open, its registration lives on and names a state the
// loop hands to the next streams; they must see nothing but spurious wake-ups from it.
TEST(Stream, ARegistrationKeptAliveByADupOnlyWakesTheNextStreamsSpuriously) {
  auto body = []() -> Task<void> {
    Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
    Stream old_client = co_await wire::io::connect(listener.local_address(), 10s);
    Stream old_server = (co_await listener.accept()).stream;
    int kept = ::dup(old_server.fd());
    EXPECT_GE(kept, 0);
    old_server.close();  // its registration outlives the close: `kept` refers to the socket
    co_await sleep_for(0ms);  // one turn of the loop: the state goes back to the pool

    // New streams: the client's reuses the old state (the pool hands it out first).
    Stream client = co_await wire::io::connect(listener.local_address(), 10s);
    Stream server = (co_await listener.accept()).stream;
    std::string at_server, at_client;
    bool server_done = false, client_done = false;
    auto reader = [](Stream& s, std::string& out, bool& done) -> Task<void> {
      Bytes buf(64);
      std::size_t n = co_await s.read_some(buf);
      out = text_of(std::span(buf).first(n));
      done = true;
    };
    Loop::current().spawn(reader(server, at_server, server_done));
    Loop::current().spawn(reader(client, at_client, client_done));

    // Events for the old registration: data arriving at the socket `kept` holds.
    for (int i = 0; i < 3; ++i) {
      co_await old_client.write_all(bytes_of("old"));
      co_await sleep_for(0ms);  // epoll_wait runs (timeout 0) before this resumes
      EXPECT_FALSE(server_done) << "a read woke for data that was not its own";
      EXPECT_FALSE(client_done) << "a read woke for data that was not its own";
    }
    char old_bytes[16];
    EXPECT_EQ(::recv(kept, old_bytes, sizeof old_bytes, MSG_DONTWAIT), 9);  // the old socket got them

    co_await client.write_all(bytes_of("to server"));
    co_await server.write_all(bytes_of("to client"));
    for (int i = 0; i < 1000 && !(server_done && client_done); ++i) co_await sleep_for(1ms);
    EXPECT_EQ(at_server, "to server");
    EXPECT_EQ(at_client, "to client");
    ::close(kept);
  };
  run_bounded(body());
}

TEST(Stream, OperationsOnAClosedStreamFailWithBadDescriptor) {
  auto body = []() -> Task<void> {
    Stream none;
    EXPECT_FALSE(none.is_open());
    Bytes buf(10);
    std::error_code ec;
    EXPECT_EQ(co_await none.read_some(buf, ec), 0u);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor);
    co_await none.write_some(bytes_of("x"), ec);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor);
    try {
      co_await none.read_some(buf);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::bad_file_descriptor);
    }
    auto [client, server] = co_await stream_pair();
    client.close();
    client.close();  // idempotent
    co_await client.write_some(bytes_of("x"), ec);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  };
  run_bounded(body());
}

// --- read_exactly ------------------------------------------------------------------

TEST(Stream, ReadExactlyFailsWithUnexpectedEofWhenThePeerClosesEarly) {
  auto body = []() -> Task<void> {
    {
      auto [client, server] = co_await stream_pair();
      co_await server.write_all(bytes_of("0123456789"));
      server.close();
      std::string buf(20, '.');
      std::error_code ec;
      std::size_t got = co_await client.read_exactly(std::as_writable_bytes(std::span(buf)), ec);
      EXPECT_EQ(got, 10u);
      EXPECT_EQ(ec, wire::Errc::unexpected_eof);
      EXPECT_EQ(buf, "0123456789..........");
    }
    {
      auto [client, server] = co_await stream_pair();
      co_await server.write_all(bytes_of("0123456789"));
      server.close();
      Bytes buf(20);
      try {
        co_await client.read_exactly(buf);
        ADD_FAILURE() << "no exception";
      } catch (const wire::TimeoutError&) {
        ADD_FAILURE() << "a timeout, not EOF";
      } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), wire::Errc::unexpected_eof);
        EXPECT_NE(std::string(e.what()).find("10 of 20 bytes"), std::string::npos) << e.what();
      }
    }
    {
      // Enough data: exactly the bytes asked for, the rest stays.
      auto [client, server] = co_await stream_pair();
      co_await server.write_all(bytes_of("abcdefgh"));
      std::string first(3, '\0');
      co_await client.read_exactly(std::as_writable_bytes(std::span(first)));
      EXPECT_EQ(first, "abc");
      std::string rest(5, '\0');
      std::error_code ec;
      EXPECT_EQ(co_await client.read_exactly(std::as_writable_bytes(std::span(rest)), ec), 5u);
      EXPECT_FALSE(ec);
      EXPECT_EQ(rest, "defgh");
    }
  };
  run_bounded(body());
}

// --- read_until: transcripts fed whole, byte by byte and at random splits ------------

// Writes `chunks` one at a time with a pause, so the reader sees them arrive apart.
Task<void> feed(Stream& s, std::vector<std::string> chunks, bool close_after) {
  for (const auto& chunk : chunks) {
    co_await s.write_all(bytes_of(chunk));
    co_await sleep_for(1ms);
  }
  if (close_after) s.shutdown_write();
}

std::vector<std::vector<std::string>> splits_of(const std::string& text, std::uint32_t seed) {
  std::vector<std::vector<std::string>> ways;
  ways.push_back({text});
  std::vector<std::string> bytes;
  for (char c : text) bytes.emplace_back(1, c);
  ways.push_back(bytes);
  std::mt19937 rng(seed);
  for (int k = 0; k < 3; ++k) {
    std::vector<std::string> parts;
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t len = 1 + rng() % 7;
      parts.push_back(text.substr(at, len));
      at += len;
    }
    ways.push_back(parts);
  }
  return ways;
}

TEST(Stream, ReadUntilLeavesTheFollowingBytes) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    co_await server.write_all(bytes_of("HELO a\r\nMAIL b\r\nrest"));
    EXPECT_EQ(co_await client.read_until("\r\n", 100), "HELO a\r\n");
    EXPECT_EQ(co_await client.read_until("\r\n", 100), "MAIL b\r\n");
    Bytes buf(100);
    std::size_t n = co_await client.read_some(buf);
    EXPECT_EQ(text_of(std::span(buf).first(n)), "rest");
  };
  run_bounded(body());
}

TEST(Stream, ReadUntilAcrossArbitrarySplits) {
  const std::string text =
      "GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
      "\r\r\n\r\n\r\n\r\n";
  // The same dialogue read three ways: by "\r\n\r\n", by "\r\n", by "\n".
  struct Case {
    std::string delimiter;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"\r\n\r\n",
       {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\n",
        "abc\r\r\n\r\n", "\r\n\r\n"}},
      {"\r\n",
       {"GET / HTTP/1.1\r\n", "Host: a\r\n", "\r\n", "POST /x HTTP/1.1\r\n",
        "Content-Length: 3\r\n", "\r\n", "abc\r\r\n", "\r\n", "\r\n", "\r\n"}},
      {"\n",
       {"GET / HTTP/1.1\r\n", "Host: a\r\n", "\r\n", "POST /x HTTP/1.1\r\n",
        "Content-Length: 3\r\n", "\r\n", "abc\r\r\n", "\r\n", "\r\n", "\r\n"}},
  };
  auto body = [](const std::string& t, const std::vector<Case>& cs) -> Task<void> {
    std::uint32_t seed = 7;
    for (const auto& c : cs) {
      for (const auto& chunks : splits_of(t, seed++)) {
        auto [client, server] = co_await stream_pair();
        Loop::current().spawn(feed(server, chunks, true));
        std::vector<std::string> got;
        for (std::size_t i = 0; i < c.expected.size(); ++i) {
          got.push_back(co_await client.read_until(c.delimiter, 1000));
        }
        EXPECT_EQ(got, c.expected) << "delimiter size " << c.delimiter.size() << ", "
                                   << chunks.size() << " chunks";
        Bytes buf(10);
        EXPECT_EQ(co_await client.read_some(buf), 0u);  // nothing read past the end
      }
    }
  };
  run_bounded(body(text, cases));
}

TEST(Stream, ReadUntilLimitAndEof) {
  auto body = []() -> Task<void> {
    {
      auto [client, server] = co_await stream_pair();
      co_await server.write_all(bytes_of("abcdefgh\n"));
      try {
        co_await client.read_until("\n", 5);
        ADD_FAILURE() << "no exception";
      } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), wire::Errc::limit_exceeded);
      }
    }
    {
      // Exactly at the limit is fine.
      auto [client, server] = co_await stream_pair();
      co_await server.write_all(bytes_of("abcd\nef"));
      EXPECT_EQ(co_await client.read_until("\n", 5), "abcd\n");
    }
    {
      auto [client, server] = co_await stream_pair();
      co_await server.write_all(bytes_of("no newline"));
      server.close();
      try {
        co_await client.read_until("\n", 100);
        ADD_FAILURE() << "no exception";
      } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), wire::Errc::unexpected_eof);
      }
    }
  };
  run_bounded(body());
}

// --- big writes --------------------------------------------------------------------

Task<void> write_then_shut(Stream& s, const Bytes& data, bool& written) {
  co_await s.write_all(data);
  written = true;
  s.shutdown_write();
}

TEST(Stream, WriteAllOf8MiBToASlowReader) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    const Bytes data = wire::test::random_bytes(8 << 20, 2);
    bool written = false;
    Loop::current().spawn(write_then_shut(server, data, written));
    // spawn() ran the writer until it first suspended: on EAGAIN, far from done.
    EXPECT_FALSE(written);
    // A slow reader: 64 KiB at a time with a pause in between.
    Bytes got = co_await read_to_eof(client, 64 * 1024, 500us);
    EXPECT_TRUE(written);
    EXPECT_EQ(got.size(), data.size());
    CO_ASSERT_TRUE(got.size() == data.size());
    EXPECT_TRUE(got == data);
  };
  run_bounded(body());
}

TEST(Stream, WritevWritesEveryBufferInOrder) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    // Sizes chosen so that partial writes stop inside buffers and on their edges.
    const std::vector<std::size_t> sizes = {0, 1, 7, 65536, 0, (1 << 20) + 3, 13, 2 << 20, 5, 0};
    std::vector<Bytes> parts;
    Bytes expected;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      parts.push_back(wire::test::random_bytes(sizes[i], 100 + i));
      expected.insert(expected.end(), parts.back().begin(), parts.back().end());
    }
    std::vector<iovec> iov;
    for (auto& p : parts) iov.push_back({p.data(), p.size()});
    CO_ASSERT_TRUE(co_await writev_delivers(client, server, iov, expected, 100'000));
    // The caller's iovecs are left as they were.
    for (std::size_t i = 0; i < parts.size(); ++i) {
      EXPECT_EQ(iov[i].iov_base, parts[i].data());
      EXPECT_EQ(iov[i].iov_len, parts[i].size());
    }
  };
  run_bounded(body());
}

// More buffers than one writev(2) call takes (IOV_MAX, 1024 on Linux).
TEST(Stream, WritevWithMoreBuffersThanIovMax) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    constexpr std::size_t kBuffers = 3000;
    std::vector<Bytes> parts;
    Bytes expected;
    for (std::size_t i = 0; i < kBuffers; ++i) {
      parts.push_back(wire::test::random_bytes(1 + i % 50, 1000 + i));
      expected.insert(expected.end(), parts.back().begin(), parts.back().end());
    }
    std::vector<iovec> iov;
    for (auto& p : parts) iov.push_back({p.data(), p.size()});
    co_await writev_delivers(client, server, iov, expected);
  };
  run_bounded(body());
}

// --- sendfile ----------------------------------------------------------------------

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

TEST(Stream, SendfileSendsTheFileRange) {
  wire::test::TempDir dir;
  const std::string contents = wire::test::random_string((3 << 20) + 17, 3);
  auto path = dir.write_file("data.bin", contents);
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(file.get(), 0);

  auto body = [](int fd, const std::string& whole) -> Task<void> {
    {
      auto [client, server] = co_await small_buffered_pair();
      Bytes got;
      bool finished = false;
      Loop::current().spawn(collect(client, got, finished));
      const std::size_t offset = 1000;
      const std::size_t count = whole.size() - offset - 5;
      co_await server.sendfile(fd, static_cast<long long>(offset), count);
      server.shutdown_write();
      for (int i = 0; i < 10000 && !finished; ++i) co_await sleep_for(1ms);
      CO_ASSERT_TRUE(finished);
      EXPECT_EQ(got.size(), count);
      CO_ASSERT_TRUE(got.size() == count);
      EXPECT_TRUE(text_of(got) == whole.substr(offset, count));
    }
    {
      // Asking for more than the file holds: what there is, then unexpected_eof.
      auto [client, server] = co_await stream_pair();
      try {
        co_await server.sendfile(fd, static_cast<long long>(whole.size() - 10), 100);
        ADD_FAILURE() << "no exception";
      } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), wire::Errc::unexpected_eof);
      }
      server.close();
      Bytes got = co_await read_to_eof(client, 1000);
      EXPECT_EQ(text_of(got), whole.substr(whole.size() - 10));
    }
  };
  run_bounded(body(file.get(), contents));
}

// A long sendfile() lets at most ~128 KiB wait unsent in the socket (TCP_NOTSENT_LOWAT): one
// call would otherwise queue as much as the autotuned send buffer holds (over 1 MiB on
// loopback), to go out later from the processing of the peer's ACKs, on the reader's CPU
// (docs/benchmarks.md, "Static files"). A short one leaves the socket as it was.
TEST(Stream, SendfileKeepsLittleUnsent) {
  wire::test::TempDir dir;
  const std::string contents = wire::test::random_string(8 << 20, 5);
  auto path = dir.write_file("big.bin", contents);
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(file.get(), 0);

  auto body = [](int fd, const std::string& whole) -> Task<void> {
    auto lowat = [](const Stream& s) {
      int v = -1;
      socklen_t len = sizeof v;
      EXPECT_EQ(::getsockopt(s.fd(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &len), 0);
      return v;
    };
    {
      auto [client, server] = co_await stream_pair();
      Bytes got;
      bool finished = false;
      Loop::current().spawn(collect(client, got, finished));
      co_await server.sendfile(fd, 0, 128 * 1024);  // no more than the mark: untouched
      EXPECT_EQ(lowat(server), 0);
      server.shutdown_write();
      for (int i = 0; i < 10000 && !finished; ++i) co_await sleep_for(1ms);
      CO_ASSERT_TRUE(finished);
      EXPECT_TRUE(text_of(got) == whole.substr(0, 128 * 1024));
    }
    auto [client, server] = co_await stream_pair();
    bool sent = false;
    auto send = [](Stream& s, int f, std::size_t n, bool& done) -> Task<void> {
      co_await s.sendfile(f, 0, n);
      s.shutdown_write();
      done = true;
    };
    Loop::current().spawn(send(server, fd, whole.size(), sent));
    // The client reads nothing yet: the sendfile queues what it may, then waits.
    co_await sleep_for(200ms);
    EXPECT_FALSE(sent);
    EXPECT_EQ(lowat(server), 128 * 1024);
    int unsent = -1;
    EXPECT_EQ(::ioctl(server.fd(), SIOCOUTQNSD, &unsent), 0);
    // The mark and at most one more segment (64 KiB) queued before the check; without the
    // mark the autotuned send buffer takes over 1 MiB here.
    EXPECT_GE(unsent, 0);
    EXPECT_LE(unsent, 256 * 1024);
    Bytes got = co_await read_to_eof(client, 256 * 1024);
    CO_ASSERT_TRUE(sent);
    EXPECT_EQ(got.size(), whole.size());
    EXPECT_TRUE(text_of(got) == whole);
  };
  run_bounded(body(file.get(), contents));
}

// --- timeouts --------------------------------------------------------------------------

TEST(Stream, ReadTimeoutOnASilentPeer) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    client.set_read_timeout(150ms);
    Bytes buf(100);

    auto start = Clock::now();
    std::error_code ec;
    EXPECT_EQ(co_await client.read_some(buf, ec), 0u);
    auto took = Clock::now() - start;
    EXPECT_EQ(ec, std::errc::timed_out);
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 10s);

    start = Clock::now();
    try {
      co_await client.read_some(buf);
      ADD_FAILURE() << "no exception";
    } catch (const wire::TimeoutError& e) {
      EXPECT_EQ(e.code(), std::errc::timed_out);
      EXPECT_NE(std::string(e.what()).find("read from 127.0.0.1:"), std::string::npos) << e.what();
    }
    EXPECT_GE(Clock::now() - start, 150ms);

    co_await client.wait_readable(ec);
    EXPECT_EQ(ec, std::errc::timed_out);
    EXPECT_THROW(co_await client.read_exactly(buf), wire::TimeoutError);
    EXPECT_THROW(co_await client.read_until("\n", 100), wire::TimeoutError);

    // Still usable: a late reply is read normally, and a read that finds data in
    // time is not cut short by its timer (a generous one: a stalled machine must
    // not turn this into a timeout).
    co_await server.write_all(bytes_of("late\n"));
    EXPECT_EQ(co_await client.read_until("\n", 100), "late\n");
    client.set_read_timeout(5s);
    auto later = [](Stream& s) -> Task<void> {
      co_await sleep_for(50ms);
      co_await s.write_all(bytes_of("in time"));
    };
    Loop::current().spawn(later(server));
    std::size_t n = co_await client.read_some(buf, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(text_of(std::span(buf).first(n)), "in time");
    // Without a timeout: waits for ever (here: until data comes after 200 ms).
    client.set_read_timeout(std::nullopt);
    auto much_later = [](Stream& s) -> Task<void> {
      co_await sleep_for(200ms);
      co_await s.write_all(bytes_of("!"));
    };
    Loop::current().spawn(much_later(server));
    n = co_await client.read_some(buf);
    EXPECT_EQ(text_of(std::span(buf).first(n)), "!");
  };
  run_bounded(body());
}

TEST(Stream, WriteTimeoutOnAPeerThatDoesNotRead) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    server.set_write_timeout(200ms);
    const Bytes data = wire::test::random_bytes(32 << 20, 4);
    std::error_code ec;
    auto start = Clock::now();
    std::size_t sent = co_await server.write_all(data, ec);
    EXPECT_EQ(ec, std::errc::timed_out);
    EXPECT_GE(Clock::now() - start, 200ms);
    EXPECT_GT(sent, 0u);
    EXPECT_LT(sent, data.size());
    EXPECT_THROW(co_await server.write_all(data), wire::TimeoutError);
  };
  run_bounded(body());
}

// try_write_some: one send now, never waiting; 0 without an error once the buffer is full,
// and then no send at all until epoll says there is room (the write hint, as an awaited
// write's first try); what is left is awaited with write_all, and every byte arrives in order.
TEST(Stream, TryWriteSomeNeverWaits) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    const Bytes data = wire::test::random_bytes(8 << 20, 5);
    std::error_code ec;
    std::size_t sent = 0;
    std::size_t tries = 0;
    for (; tries < 1000 && sent < data.size(); ++tries) {  // the reader reads nothing yet
      std::size_t n = server.try_write_some(std::span(data).subspan(sent), ec);
      EXPECT_FALSE(ec);
      if (n == 0) break;
      sent += n;
    }
    EXPECT_GT(sent, 0u);
    EXPECT_LT(sent, data.size());  // the buffers are full long before 8 MiB
    // Full: a second try makes no system call and takes nothing.
    EXPECT_EQ(server.try_write_some(std::span(data).subspan(sent), ec), 0u);
    EXPECT_FALSE(ec);
    auto rest = [](Stream& s, std::span<const std::byte> d) -> Task<void> { co_await s.write_all(d); };
    Loop::current().spawn(rest(server, std::span(data).subspan(sent)));
    Bytes got(data.size());
    co_await client.read_exactly(got);
    EXPECT_TRUE(got == data);
    server.close();
    EXPECT_EQ(server.try_write_some(std::span(data), ec), 0u);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  };
  run_bounded(body());
}

}  // namespace
