// SPDX-License-Identifier: MIT
// wire::io::Task<T>: results of every kind, exceptions, laziness, symmetric
// transfer (deep chains do not grow the stack) and frames freed on destruction.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "io_helpers.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/task.hpp"

namespace {

using namespace wire::test::io;

// The watchdog limit for these tests, passed to run_bounded().
constexpr auto kLimit = 30s;

Task<int> answer() { co_return 42; }
Task<std::string> greet(std::string name) { co_return "hello " + name; }
Task<std::unique_ptr<int>> boxed(int value) { co_return std::make_unique<int>(value); }
Task<void> count_up(int& hits) {
  ++hits;
  co_return;
}

// A move-only type without a default constructor.
class Handle {
 public:
  explicit Handle(int id) : id_(std::make_unique<int>(id)) {}
  int id() const { return *id_; }

 private:
  std::unique_ptr<int> id_;
};
Task<Handle> open_handle(int id) { co_return Handle(id); }

TEST(Task, ResultsOfEveryKind) {
  auto body = [](int& hits) -> Task<std::string> {
    int a = co_await answer();
    std::string s = co_await greet("wire");
    std::unique_ptr<int> p = co_await boxed(7);
    Handle h = co_await open_handle(11);
    co_await count_up(hits);
    co_await count_up(hits);
    co_return std::to_string(a) + "|" + s + "|" + std::to_string(*p) + "|" + std::to_string(h.id());
  };
  int hits = 0;
  EXPECT_EQ(run_bounded(body(hits), kLimit), "42|hello wire|7|11");
  EXPECT_EQ(hits, 2);

  // wire::io::run returns each kind directly too.
  EXPECT_EQ(wire::io::run(answer()), 42);
  EXPECT_EQ(wire::io::run(greet("again")), "hello again");
  std::unique_ptr<int> p = wire::io::run(boxed(9));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 9);
  EXPECT_EQ(wire::io::run(open_handle(3)).id(), 3);
  wire::io::run(count_up(hits));
  EXPECT_EQ(hits, 3);
}

// A result produced after the task has been suspended on the loop (not
// synchronously) reaches the awaiter the same way.
Task<std::string> late_greeting(std::string name) {
  co_await sleep_for(1ms);
  co_return "late " + name;
}

TEST(Task, ResultAfterSuspension) {
  auto body = []() -> Task<std::string> {
    std::string a = co_await late_greeting("one");
    std::string b = co_await late_greeting("two");
    co_return a + "," + b;
  };
  EXPECT_EQ(run_bounded(body(), kLimit), "late one,late two");
}

Task<int> fails_now(std::string what) {
  throw std::runtime_error(what);
  co_return 0;
}
Task<void> fails_later(std::string what) {
  co_await sleep_for(1ms);
  throw std::invalid_argument(what);
}
Task<int> passes_through(std::string what) {
  int v = co_await fails_now(std::move(what));  // not caught here
  co_return v + 1;
}

TEST(Task, ExceptionsReachTheAwaiter) {
  auto body = []() -> Task<std::string> {
    std::string log;
    try {
      co_await fails_now("sync");
      log += "no-throw ";
    } catch (const std::runtime_error& e) {
      log += std::string("caught:") + e.what() + " ";
    }
    try {
      co_await fails_later("after suspension");
      log += "no-throw ";
    } catch (const std::invalid_argument& e) {
      log += std::string("caught:") + e.what() + " ";
    }
    try {
      co_await passes_through("two levels");
      log += "no-throw ";
    } catch (const std::runtime_error& e) {
      log += std::string("caught:") + e.what();
    }
    co_return log;
  };
  EXPECT_EQ(run_bounded(body(), kLimit), "caught:sync caught:after suspension caught:two levels");
}

TEST(Task, ExceptionsPropagateThroughRun) {
  try {
    wire::io::run(passes_through("through run"));
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "through run");
  }
  try {
    wire::io::run(fails_later("void, after suspension"));
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "void, after suspension");
  }
  // The loop is usable again afterwards (a fresh one per run()).
  EXPECT_EQ(wire::io::run(answer()), 42);
}

// 100000 nested awaits of tasks that complete synchronously. Without symmetric
// transfer each level would add stack frames (resume() inside resume()) and this
// would overflow the 8 MiB main-thread stack.
constexpr int kDepth = 100000;

Task<long> nested(int depth) {
  if (depth == 0) co_return 0;
  long below = co_await nested(depth - 1);
  co_return below + 1;
}

TEST(Task, DeepRecursiveChainDoesNotOverflowTheStack) {
  EXPECT_EQ(run_bounded(nested(kDepth), kLimit), kDepth);
}

TEST(Task, LongLoopOfSynchronousAwaitsDoesNotOverflowTheStack) {
  auto body = []() -> Task<long> {
    long sum = 0;
    int hits = 0;
    for (int i = 0; i < kDepth; ++i) {
      sum += co_await answer();
      co_await count_up(hits);
    }
    co_return sum + hits;
  };
  EXPECT_EQ(run_bounded(body(), kLimit), 43L * kDepth);
}

Task<void> mark(bool& ran, Probe probe) {
  (void)probe;
  ran = true;
  co_return;
}

TEST(Task, IsLazy) {
  Census census;
  bool ran = false;
  {
    Task<void> t = mark(ran, Probe(census));
    EXPECT_TRUE(t.valid());
    EXPECT_FALSE(t.done());
    EXPECT_FALSE(ran);
    EXPECT_EQ(census.alive(), 1);  // the parameter copy in the frame
  }
  // Destroying a task that never started frees its frame.
  EXPECT_FALSE(ran);
  EXPECT_EQ(census.alive(), 0);

  // Inside a coroutine: made, not awaited, nothing runs; awaited, it runs.
  auto body = [](bool& flag, Census& c) -> Task<std::string> {
    std::string log;
    Task<void> later = mark(flag, Probe(c));
    co_await sleep_for(1ms);
    log += flag ? "ran-early " : "not-yet ";
    co_await std::move(later);
    log += flag ? "ran" : "never";
    co_return log;
  };
  ran = false;
  EXPECT_EQ(run_bounded(body(ran, census), kLimit), "not-yet ran");
  EXPECT_EQ(census.alive(), 0);
}

TEST(Task, MovedFromAndEmptyTasks) {
  Census census;
  bool ran = false;
  Task<void> a = mark(ran, Probe(census));
  Task<void> b = std::move(a);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_TRUE(b.valid());
  EXPECT_EQ(census.alive(), 1);
  Task<void> c = mark(ran, Probe(census));
  EXPECT_EQ(census.alive(), 2);
  b = std::move(c);  // destroys b's frame
  EXPECT_EQ(census.alive(), 1);
  b = Task<void>();
  EXPECT_EQ(census.alive(), 0);
  EXPECT_FALSE(ran);
}

Task<void> sleeper(Census& census, bool& woke, std::chrono::milliseconds d) {
  Probe local(census);
  co_await sleep_for(d);
  woke = true;
}

// A task suspended in sleep_for, destroyed: its frame (and the RAII object in it)
// goes, and its timer is withdrawn, so the loop never resumes the dead frame
// (ASan would report the use after free).
TEST(Task, DestroyingATaskSuspendedInSleepFreesItsFrame) {
  Census census;
  bool woke = false;
  auto body = [](Census& c, bool& w) -> Task<std::string> {
    std::string log;
    Task<void> victim = sleeper(c, w, 30ms);
    victim.handle().resume();  // start it by hand: it suspends in sleep_for
    log += "alive=" + std::to_string(c.alive()) + " done=" + std::to_string(victim.done());
    co_await sleep_for(1ms);
    victim = Task<void>();  // cancel
    log += " alive=" + std::to_string(c.alive());
    co_await sleep_for(100ms);  // past the victim's deadline: its timer must not fire
    log += w ? " woke" : " quiet";
    co_return log;
  };
  EXPECT_EQ(run_bounded(body(census, woke), kLimit), "alive=1 done=0 alive=0 quiet");
  EXPECT_FALSE(woke);
  EXPECT_EQ(census.destroyed, 1);
}

// The blocking API inside a coroutine: wire::io::run() on a nested private loop
// on the same thread, then back to the outer loop, whose own tasks go on.
TEST(Task, BlockingRunInsideACoroutine) {
  auto body = []() -> Task<std::string> {
    std::string log = std::to_string(co_await answer());
    log += " " + wire::io::run(late_greeting("inner"));
    log += " " + std::to_string(wire::io::run(nested(1000)));
    log += " " + co_await late_greeting("outer");
    long deep = co_await nested(kDepth);
    co_return log + " " + std::to_string(deep);
  };
  EXPECT_EQ(run_bounded(body(), kLimit), "42 late inner 1000 late outer 100000");
}

// An already finished task can still be awaited for its result.
TEST(Task, AwaitingAFinishedTaskGivesItsResult) {
  auto body = []() -> Task<int> {
    Task<int> t = answer();
    t.handle().resume();
    EXPECT_TRUE(t.done());
    int v = co_await std::move(t);
    co_return v;
  };
  EXPECT_EQ(run_bounded(body(), kLimit), 42);
}

}  // namespace
