// SPDX-License-Identifier: MIT
// with_timeout(): a deadline on any task.
#include <gtest/gtest.h>

#include <array>

#include "wire/error.hpp"
#include "wire/io.hpp"
#include "wire/net.hpp"

namespace {

using namespace std::chrono_literals;
using wire::io::Listener;
using wire::io::sleep_for;
using wire::io::Stream;
using wire::io::Task;
using wire::io::with_timeout;

Task<int> answer_after(std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  co_return 42;
}

Task<int> fail_after(std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  throw std::runtime_error("the task's own error");
}

struct Tracked {  // counts live instances, to see a cancelled frame freed
  static inline int alive = 0;
  Tracked() { ++alive; }
  ~Tracked() { --alive; }
};

Task<void> sleep_holding(std::chrono::milliseconds delay, bool& finished) {
  Tracked tracked;
  co_await sleep_for(delay);
  finished = true;
}

TEST(WithTimeout, ResultWhenTheTaskIsFaster) {
  EXPECT_EQ(wire::io::run(with_timeout(answer_after(1ms), 10s)), 42);
}

TEST(WithTimeout, ResultOfATaskThatNeverSuspends) {
  auto now = []() -> Task<int> { co_return 7; };
  EXPECT_EQ(wire::io::run(with_timeout(now(), 10s)), 7);
}

TEST(WithTimeout, TheTasksExceptionPassesThrough) {
  EXPECT_THROW(wire::io::run(with_timeout(fail_after(1ms), 10s)), std::runtime_error);
}

TEST(WithTimeout, SlowTaskIsDestroyedAndTimeoutErrorThrown) {
  bool finished = false;
  auto body = [&]() -> Task<void> {
    try {
      co_await with_timeout(sleep_holding(10s, finished), 50ms);
      ADD_FAILURE() << "no timeout";
    } catch (const wire::TimeoutError& e) {
      EXPECT_EQ(e.code(), std::errc::timed_out);
    }
    EXPECT_EQ(Tracked::alive, 0);  // the cancelled frame is gone already
  };
  wire::io::run(body());
  EXPECT_FALSE(finished);
}

TEST(WithTimeout, CancelledReadLeavesTheStreamUsable) {
  auto body = []() -> Task<void> {
    Listener listener(wire::net::tcp_listen("127.0.0.1", 0));
    auto client = co_await wire::io::connect(listener.local_address(), 10s);
    auto accepted = co_await listener.accept();
    std::array<std::byte, 16> buf;
    auto read_one = [](Stream& s, std::span<std::byte> b) -> Task<std::size_t> {
      co_return co_await s.read_some(b);
    };
    // Nothing is sent: the read is cancelled by the deadline...
    EXPECT_THROW(co_await with_timeout(read_one(accepted.stream, buf), 50ms), wire::TimeoutError);
    // ...and withdrawn, so a new read on the same stream works.
    co_await client.write_all(std::as_bytes(std::span(std::string_view("late"))));
    std::size_t n = co_await with_timeout(read_one(accepted.stream, buf), 10s);
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(buf.data()), n), "late");
  };
  wire::io::run(body());
}

TEST(WithTimeout, EmptyTaskIsALogicError) {
  auto body = []() -> Task<void> { co_await with_timeout(Task<int>(), 1s); };
  EXPECT_THROW(wire::io::run(body()), std::logic_error);
}

}  // namespace
