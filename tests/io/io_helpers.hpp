// SPDX-License-Identifier: MIT
// Helpers shared by the wire::io tests (header-only: tests/io/CMakeLists.txt
// builds only *_test.cpp). A test file brings them in with
//   using namespace wire::test::io;
// inside its anonymous namespace, which also brings the usual wire::io names
// (Loop, Task, Stream, ...) and std::chrono_literals.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "wire/io/loop.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/net/tcp.hpp"

// ASSERT_* return from the function, which a coroutine cannot do: this co_returns.
#define CO_ASSERT_TRUE(condition)                       \
  do {                                                  \
    if (!(condition)) {                                 \
      ADD_FAILURE() << "assertion failed: " #condition; \
      co_return;                                        \
    }                                                   \
  } while (false)

namespace wire::test::io {

using namespace std::chrono_literals;
using wire::io::Clock;
using wire::io::Listener;
using wire::io::Loop;
using wire::io::Stream;
using wire::io::Task;
using wire::io::sleep_for;
using Bytes = std::vector<std::byte>;

// --- object lifetimes -------------------------------------------------------------

/// Counts the objects of one kind alive; a Probe lives in a coroutine frame to
/// show when the frame is destroyed.
struct Census {
  int made = 0;
  int destroyed = 0;
  int alive() const { return made - destroyed; }
};
class Probe {
 public:
  explicit Probe(Census& c) : census_(&c) { ++census_->made; }
  Probe(const Probe& other) : census_(other.census_) { ++census_->made; }
  Probe& operator=(const Probe&) = delete;
  ~Probe() { ++census_->destroyed; }

 private:
  Census* census_;
};

// --- running a test's task with a deadline ------------------------------------------

/// Stops `loop` (and fails the test) if a test's task has not finished by
/// `limit`, so a bug fails the test (Loop::run(task) throws) instead of hanging it.
inline Task<void> watchdog(Loop& loop, Clock::duration limit) {
  co_await sleep_for(limit);
  ADD_FAILURE() << "watchdog: the test's task did not finish in time";
  loop.stop();
}

/// Runs `task` on `loop` under a watchdog (see watchdog()).
template <typename T>
T run_bounded_on(Loop& loop, Task<T> task, Clock::duration limit = 60s) {
  loop.spawn(watchdog(loop, limit));
  return loop.run(std::move(task));
}

/// Runs `task` on a fresh loop under a watchdog (see watchdog()).
template <typename T>
T run_bounded(Task<T> task, Clock::duration limit = 60s) {
  Loop loop;
  return run_bounded_on(loop, std::move(task), limit);
}

// --- bytes and text -----------------------------------------------------------------

inline std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s));
}
inline std::string text_of(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// --- connected streams ----------------------------------------------------------------

struct StreamPair {
  Stream client;
  Stream server;
};

/// A connected pair on the current loop: connect() and accept() over loopback
/// on `host` ("127.0.0.1" or "::1"); checks the accepted peer is the client.
inline Task<StreamPair> stream_pair(std::string host = "127.0.0.1") {
  Listener listener(wire::net::tcp_listen(host, 0));
  // The kernel completes the handshake before accept(), so connect first.
  Stream client = co_await wire::io::connect(listener.local_address(), 10s);
  auto accepted = co_await listener.accept();
  EXPECT_EQ(accepted.peer, client.local_address());
  co_return StreamPair{std::move(client), std::move(accepted.stream)};
}

/// Small kernel buffers, so that big writes meet EAGAIN early.
inline void small_buffers(const Stream& s, int bytes = 64 * 1024) {
  EXPECT_EQ(::setsockopt(s.fd(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes), 0);
  EXPECT_EQ(::setsockopt(s.fd(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes), 0);
}

/// stream_pair() with small_buffers() on both ends.
inline Task<StreamPair> small_buffered_pair() {
  StreamPair p = co_await stream_pair();
  small_buffers(p.client);
  small_buffers(p.server);
  co_return p;
}

// --- an echo server on the current loop -------------------------------------------------

/// Echoes what `s` reads until EOF or an error.
inline Task<void> echo_connection(Stream s) {
  Bytes buf(64 * 1024);
  for (;;) {
    std::error_code ec;
    std::size_t n = co_await s.read_some(buf, ec);
    if (ec || n == 0) co_return;
    co_await s.write_all(std::span(buf).first(n), ec);
    if (ec) co_return;
  }
}

/// Accepts `connections` connections, spawning an echo_connection() for each.
inline Task<void> echo_server(Listener& listener, int connections) {
  for (int i = 0; i < connections; ++i) {
    auto accepted = co_await listener.accept();
    Loop::current().spawn(echo_connection(std::move(accepted.stream)));
  }
}

// Reads until EOF (bounded), pausing between reads to be a slow peer if asked.
inline Task<Bytes> read_to_eof(Stream& s, std::size_t chunk, Clock::duration pause = {}) {
  Bytes all;
  Bytes buf(chunk);
  for (int i = 0; i < 10'000'000; ++i) {
    std::size_t n = co_await s.read_some(buf);
    if (n == 0) co_return all;
    all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    if (pause != Clock::duration{}) co_await sleep_for(pause);
  }
  ADD_FAILURE() << "read_to_eof: no EOF";
  co_return all;
}

}  // namespace wire::test::io
