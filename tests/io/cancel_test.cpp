// SPDX-License-Identifier: MIT
// Cancellation (tasks destroyed while waiting on a stream, streams closed while
// someone waits on them) and peers resetting in the middle of a write.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "io_helpers.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/runtime.hpp"
#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace wire::test::io;

// Closing with SO_LINGER 0 sends a reset (RST) instead of a FIN.
void reset(Stream& s) {
  linger lg{1, 0};
  EXPECT_EQ(::setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
  s.close();
}

// Reads once into a buffer in its own frame, recording what happened.
Task<void> read_once(Stream& s, Census& census, std::string& got, std::error_code& ec) {
  Probe local(census);
  Bytes buf(100);
  std::size_t n = co_await s.read_some(buf, ec);
  got = text_of(std::span(buf).first(n));
}

// The with-timeout pattern: run `task` for at most `limit`; if it has not
// finished, destroy it (cancelling whatever it waits for). True if it finished.
Task<void> flag_when_done(Task<void> inner, bool& done) {
  co_await std::move(inner);
  done = true;
}
Task<bool> with_timeout(Task<void> task, Clock::duration limit) {
  bool done = false;
  Task<void> runner = flag_when_done(std::move(task), done);
  runner.handle().resume();  // started here, owned here
  const auto deadline = Clock::now() + limit;
  while (!done && Clock::now() < deadline) co_await sleep_for(1ms);
  co_return done;  // destroying `runner` cancels the task if it is still waiting
}

// --- a task destroyed while suspended in read_some -----------------------------------

TEST(Cancel, DestroyingATaskSuspendedInReadSomeLeavesTheStreamUsable) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    Census census;
    std::string got = "untouched";
    std::error_code ec;
    {
      Task<void> victim = read_once(server, census, got, ec);
      victim.handle().resume();  // suspends: no data yet
      EXPECT_FALSE(victim.done());
      EXPECT_EQ(census.alive(), 1);
      co_await sleep_for(5ms);
    }  // destroyed here: the read is withdrawn
    EXPECT_EQ(census.alive(), 0);
    // Data now arrives; the loop must not wake the dead reader (ASan: no use
    // after free), and a new read gets it.
    co_await client.write_all(bytes_of("hello"));
    co_await sleep_for(5ms);  // a turn of the loop with the event pending
    EXPECT_EQ(got, "untouched");
    Bytes buf(100);
    std::size_t n = co_await server.read_some(buf);
    EXPECT_EQ(text_of(std::span(buf).first(n)), "hello");
    // Both directions still work, and the stream closes cleanly.
    co_await server.write_all(bytes_of("back"));
    n = co_await client.read_some(buf);
    EXPECT_EQ(text_of(std::span(buf).first(n)), "back");
    server.close();
    EXPECT_EQ(co_await client.read_some(buf), 0u);
  };
  run_bounded(body());
}

TEST(Cancel, DestroyedReadWithATimeoutNeverFiresItsTimer) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    server.set_read_timeout(30ms);
    Census census;
    std::string got = "untouched";
    std::error_code ec;
    {
      Task<void> victim = read_once(server, census, got, ec);
      victim.handle().resume();
      co_await sleep_for(5ms);
    }
    EXPECT_EQ(census.alive(), 0);
    co_await sleep_for(100ms);  // well past the dead read's timeout
    EXPECT_EQ(got, "untouched");
    EXPECT_FALSE(ec);
    // The stream's own timeout still works for a new read.
    Bytes buf(10);
    co_await server.read_some(buf, ec);
    EXPECT_EQ(ec, std::errc::timed_out);
  };
  run_bounded(body());
}

TEST(Cancel, WithTimeoutPattern) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await stream_pair();
    Census census;
    std::string got = "untouched";
    std::error_code ec;
    auto start = Clock::now();
    EXPECT_FALSE(co_await with_timeout(read_once(server, census, got, ec), 50ms));
    EXPECT_GE(Clock::now() - start, 50ms);
    EXPECT_EQ(census.alive(), 0);
    EXPECT_EQ(got, "untouched");

    // Same stream, data on its way: this time the read finishes.
    co_await client.write_all(bytes_of("now"));
    EXPECT_TRUE(co_await with_timeout(read_once(server, census, got, ec), 10s));
    EXPECT_EQ(got, "now");
    EXPECT_FALSE(ec);
    EXPECT_EQ(census.alive(), 0);
  };
  run_bounded(body());
}

// --- destroying the loop with tasks waiting on streams -------------------------------

Task<void> own_and_read(Stream s, Census& census) {
  Probe local(census);
  Bytes buf(1000);
  co_await s.read_some(buf);  // the peer is silent
  ADD_FAILURE() << "read finished";
}
Task<void> own_and_write(Stream s, Census& census) {
  Probe local(census);
  small_buffers(s);
  const Bytes data = wire::test::random_bytes(16 << 20, 5);
  co_await s.write_all(data);  // the peer never reads: suspends on EAGAIN
  ADD_FAILURE() << "write finished";
}
Task<void> own_and_sleep(Stream s, Census& census, Stream** where = nullptr) {
  Probe local(census);
  if (where) *where = &s;
  co_await sleep_for(1h);
}

TEST(Cancel, DestroyingTheLoopDestroysTasksWaitingOnStreams) {
  Census census;
  {
    Loop loop;
    auto setup = [](Census& c) -> Task<void> {
      Loop& l = Loop::current();
      for (int i = 0; i < 3; ++i) {
        auto [client, server] = co_await stream_pair();
        l.spawn(own_and_read(std::move(server), c));
        l.spawn(own_and_sleep(std::move(client), c));
        auto [client2, server2] = co_await stream_pair();
        small_buffers(server2);
        l.spawn(own_and_write(std::move(client2), c));
        l.spawn(own_and_sleep(std::move(server2), c));
      }
      co_await sleep_for(20ms);  // turns of the loop with every operation pending
    };
    run_bounded_on(loop, setup(census));
    EXPECT_EQ(loop.spawned_count(), 12u + 1u);  // and the watchdog
    EXPECT_EQ(census.alive(), 12);
  }
  EXPECT_EQ(census.alive(), 0);
}

// A stream owned by one task (asleep) and read by another. The loop destroys the
// owner first (the most recently spawned task goes first): closing the stream
// ends the pending read with operation_canceled.
TEST(Cancel, DestroyingTheLoopClosesAStreamAnotherTaskReads) {
  Census census;
  std::error_code ec;
  Stream* target = nullptr;
  {
    Loop loop;
    auto reader = [](Stream*& t, Census& c, std::error_code& e) -> Task<void> {
      Probe local(c);
      co_await sleep_for(1ms);  // the owner has published the stream by now
      Bytes buf(1000);
      co_await t->read_some(buf, e);
    };
    auto setup = [](Stream*& t, Census& c, std::error_code& e,
                    decltype(reader)& make_reader) -> Task<void> {
      auto [client, server] = co_await stream_pair();
      Loop::current().spawn(own_and_sleep(std::move(client), c));  // keeps the peer silent
      Loop::current().spawn(make_reader(t, c, e));
      Loop::current().spawn(own_and_sleep(std::move(server), c, &t));
      co_await sleep_for(20ms);
      EXPECT_FALSE(e);
    };
    run_bounded_on(loop, setup(target, census, ec, reader));
    EXPECT_EQ(census.alive(), 3);
  }
  EXPECT_EQ(census.alive(), 0);
  EXPECT_EQ(ec, std::errc::operation_canceled);
}

// --- closing a stream while someone waits on it -----------------------------------

TEST(Cancel, ClosingAStreamCancelsItsPendingOperations) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    Census census;
    std::string got = "untouched";
    std::error_code read_ec;
    Loop::current().spawn(read_once(server, census, got, read_ec));
    std::error_code write_ec;
    std::size_t written = 0;
    bool write_finished = false;
    auto writer = [](Stream& s, std::error_code& ec, std::size_t& n, bool& fin) -> Task<void> {
      const Bytes data = wire::test::random_bytes(16 << 20, 6);
      n = co_await s.write_all(data, ec);
      fin = true;
    };
    Loop::current().spawn(writer(server, write_ec, written, write_finished));
    EXPECT_EQ(census.alive(), 1);
    EXPECT_FALSE(write_finished);
    co_await sleep_for(10ms);
    server.close();  // both waiters end now, with operation_canceled
    EXPECT_EQ(census.alive(), 0);
    EXPECT_EQ(read_ec, std::errc::operation_canceled);
    EXPECT_EQ(got, "");
    EXPECT_TRUE(write_finished);
    EXPECT_EQ(write_ec, std::errc::operation_canceled);
    EXPECT_GT(written, 0u);
    EXPECT_LT(written, std::size_t{16} << 20);
    // The peer sees the data written so far, then EOF or a reset (unread data
    // was discarded by the close); either way the loop goes on.
    Bytes buf(1 << 16);
    std::error_code ec;
    for (int i = 0; i < 100000; ++i) {
      std::size_t n = co_await client.read_some(buf, ec);
      if (ec || n == 0) break;
    }
    EXPECT_TRUE(!ec || ec == std::errc::connection_reset) << ec.message();
    // New streams reuse the released descriptor state safely.
    for (int i = 0; i < 3; ++i) {
      auto [c2, s2] = co_await stream_pair();
      co_await c2.write_all(bytes_of("again"));
      std::size_t n = co_await s2.read_some(buf);
      EXPECT_EQ(text_of(std::span(buf).first(n)), "again");
    }
  };
  run_bounded(body());
}

// The stream lives in the frame of the task reading it; another task closes it
// (say, a server shutting down). The cancelled read resumes the owner, which
// finishes and frees its frame, stream included, while close() is still on the
// stack: close() must not touch the stream after waking the waiters (ASan).
Task<void> own_and_read_until_cancelled(Stream s, Stream** where, std::error_code& ec,
                                        Census& census) {
  Probe local(census);
  *where = &s;
  Bytes buf(100);
  co_await s.read_some(buf, ec);
  *where = nullptr;
}
Task<void> own_and_accept(Listener l, Listener** where, std::error_code& ec, Census& census) {
  Probe local(census);
  *where = &l;
  auto accepted = co_await l.accept(ec);
  *where = nullptr;
}

TEST(Cancel, ClosingAStreamWhoseOwnerIsWaitingOnIt) {
  auto body = []() -> Task<void> {
    Census census;
    auto [client, server] = co_await stream_pair();
    Stream* target = nullptr;
    std::error_code ec;
    Loop::current().spawn(own_and_read_until_cancelled(std::move(server), &target, ec, census));
    CO_ASSERT_TRUE(target != nullptr);
    EXPECT_EQ(census.alive(), 1);
    target->close();  // the owner finishes inside this call
    EXPECT_EQ(census.alive(), 0);
    EXPECT_EQ(target, nullptr);
    EXPECT_EQ(ec, std::errc::operation_canceled);

    Listener* listener = nullptr;
    Loop::current().spawn(
        own_and_accept(Listener(wire::net::tcp_listen("127.0.0.1", 0)), &listener, ec, census));
    CO_ASSERT_TRUE(listener != nullptr);
    listener->close();
    EXPECT_EQ(census.alive(), 0);
    EXPECT_EQ(listener, nullptr);
    EXPECT_EQ(ec, std::errc::operation_canceled);
    // The peer of the closed stream sees EOF.
    Bytes buf(10);
    EXPECT_EQ(co_await client.read_some(buf), 0u);
  };
  run_bounded(body());
}

// --- a peer resetting mid-write ----------------------------------------------------------

TEST(Reset, PeerResetDuringWriteAllGivesAnErrorNotSigpipe) {
  auto body = []() -> Task<void> {
    for (bool throwing : {false, true}) {
      auto [client, server] = co_await small_buffered_pair();
      const Bytes data = wire::test::random_bytes(32 << 20, 7);
      std::error_code ec;
      std::size_t sent = 0;
      bool finished = false;
      auto writer = [](Stream& s, const Bytes& d, std::error_code& e, std::size_t& n, bool& fin,
                       bool throws) -> Task<void> {
        if (throws) {
          try {
            co_await s.write_all(d);
          } catch (const std::system_error& err) {
            e = err.code();
          }
        } else {
          n = co_await s.write_all(d, e);
        }
        fin = true;
      };
      Loop::current().spawn(writer(server, data, ec, sent, finished, throwing));
      EXPECT_FALSE(finished);  // suspended on EAGAIN
      // The client reads a little, then resets the connection.
      Bytes buf(1000);
      co_await client.read_exactly(buf);
      EXPECT_TRUE(std::equal(buf.begin(), buf.end(), data.begin()));
      reset(client);
      for (int i = 0; i < 10000 && !finished; ++i) co_await sleep_for(1ms);
      CO_ASSERT_TRUE(finished);
      EXPECT_TRUE(ec == std::errc::connection_reset || ec == std::errc::broken_pipe)
          << ec.message();
      if (!throwing) {
        EXPECT_LT(sent, data.size());
      }
      // Writing again fails at once the same way, without SIGPIPE.
      co_await server.write_some(bytes_of("more"), ec);
      EXPECT_TRUE(ec == std::errc::connection_reset || ec == std::errc::broken_pipe)
          << ec.message();
    }
  };
  run_bounded(body());
}

TEST(Reset, PeerResetDuringWritevAndReadSeesTheReset) {
  auto body = []() -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    const Bytes a = wire::test::random_bytes(8 << 20, 8);
    const Bytes b = wire::test::random_bytes(8 << 20, 9);
    std::error_code ec;
    bool finished = false;
    auto writer = [](Stream& s, const Bytes& x, const Bytes& y, std::error_code& e,
                     bool& fin) -> Task<void> {
      iovec iov[2] = {{const_cast<std::byte*>(x.data()), x.size()},
                      {const_cast<std::byte*>(y.data()), y.size()}};
      try {
        co_await s.write_all(std::span<const iovec>(iov));
      } catch (const std::system_error& err) {
        e = err.code();
      }
      fin = true;
    };
    Loop::current().spawn(writer(server, a, b, ec, finished));
    EXPECT_FALSE(finished);
    reset(client);
    for (int i = 0; i < 10000 && !finished; ++i) co_await sleep_for(1ms);
    CO_ASSERT_TRUE(finished);
    EXPECT_TRUE(ec == std::errc::connection_reset || ec == std::errc::broken_pipe) << ec.message();

    // A reader whose peer resets gets ECONNRESET.
    auto [c2, s2] = co_await stream_pair();
    co_await s2.write_all(bytes_of("unread"));  // unread data: close sends RST anyway
    co_await sleep_for(1ms);
    reset(c2);
    Bytes buf(10);
    std::error_code read_ec;
    for (int i = 0; i < 100 && !read_ec; ++i) co_await s2.read_some(buf, read_ec);
    EXPECT_EQ(read_ec, std::errc::connection_reset);
  };
  run_bounded(body());
}

// sendfile(2) has no MSG_NOSIGNAL: a peer reset must still give an error, not
// kill the process with SIGPIPE.
TEST(Reset, PeerResetDuringSendfileGivesAnErrorNotSigpipe) {
  wire::test::TempDir dir;
  auto path = dir.write_file("big.bin", wire::test::random_string(16 << 20, 10));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto body = [](int file) -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    std::error_code ec;
    bool finished = false;
    auto sender = [](Stream& s, int f, std::error_code& e, bool& fin) -> Task<void> {
      try {
        co_await s.sendfile(f, 0, 16 << 20);
      } catch (const std::system_error& err) {
        e = err.code();
      }
      fin = true;
    };
    Loop::current().spawn(sender(server, file, ec, finished));
    EXPECT_FALSE(finished);
    reset(client);
    for (int i = 0; i < 10000 && !finished; ++i) co_await sleep_for(1ms);
    CO_ASSERT_TRUE(finished);
    EXPECT_TRUE(ec == std::errc::connection_reset || ec == std::errc::broken_pipe) << ec.message();
    // Again, now that the connection is known dead.
    ec.clear();
    try {
      co_await server.sendfile(file, 0, 1000);
    } catch (const std::system_error& err) {
      ec = err.code();
    }
    EXPECT_TRUE(ec == std::errc::connection_reset || ec == std::errc::broken_pipe) << ec.message();
  };
  run_bounded(body(fd));
  ::close(fd);
  // No SIGPIPE left pending, and the thread's signal mask is as it was.
  sigset_t pending;
  sigemptyset(&pending);
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);
  sigset_t mask;
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &mask), 0);
  EXPECT_EQ(sigismember(&mask, SIGPIPE), 0);
}

// On a Runtime worker (wire's own thread) SIGPIPE stays blocked for good, so sendfile needs no
// signal-mask calls around it; a reset peer still gives an error, and the SIGPIPE it raised is
// taken back rather than left pending on the thread.
TEST(Reset, PeerResetDuringSendfileOnARuntimeWorker) {
  wire::test::TempDir dir;
  auto path = dir.write_file("big.bin", wire::test::random_string(16 << 20, 11));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct Outcome {
    std::error_code ec;
    bool sigpipe_blocked = false;
    bool sigpipe_pending = true;
  } outcome;
  std::atomic<bool> done{false};
  auto body = [](int file, Outcome& out, std::atomic<bool>& finished) -> Task<void> {
    auto [client, server] = co_await small_buffered_pair();
    auto sender = [](Stream& s, int f, std::error_code& e) -> Task<void> {
      try {
        co_await s.sendfile(f, 0, 16 << 20);
      } catch (const std::system_error& err) {
        e = err.code();
      }
    };
    Task<void> send = sender(server, file, out.ec);
    reset(client);
    co_await std::move(send);
    sigset_t set;
    sigemptyset(&set);
    pthread_sigmask(SIG_BLOCK, nullptr, &set);
    out.sigpipe_blocked = sigismember(&set, SIGPIPE) == 1;
    sigemptyset(&set);
    sigpending(&set);
    out.sigpipe_pending = sigismember(&set, SIGPIPE) == 1;
    finished = true;
  };
  {
    wire::io::Runtime rt(1);
    rt.start([&](wire::io::Loop& loop, unsigned) { loop.spawn(body(fd, outcome, done)); });
    for (int i = 0; i < 10000 && !done; ++i) std::this_thread::sleep_for(1ms);  // bounded wait for the flag
    ASSERT_TRUE(done.load());
  }
  ::close(fd);
  EXPECT_TRUE(outcome.ec == std::errc::connection_reset || outcome.ec == std::errc::broken_pipe)
      << outcome.ec.message();
  EXPECT_TRUE(outcome.sigpipe_blocked);
  EXPECT_FALSE(outcome.sigpipe_pending);
}

}  // namespace
