// SPDX-License-Identifier: MIT
// wire::io::Loop: timers (order, cancellation, zero sleeps, waking without fd
// activity), post() and stop() from other threads, spawn().
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "io_helpers.hpp"
#include "support/wait.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/task.hpp"

namespace {

using namespace wire::test::io;
using wire::io::detail::TimerNode;

// Stops a loop from another thread if it is still running at the deadline, so a
// broken loop fails the test instead of hanging it. It does not depend on the
// loop's own timers, which some of these tests are about.
class LoopGuard {
 public:
  LoopGuard(Loop& loop, std::chrono::milliseconds limit)
      : thread_([this, &loop, limit] {
          if (!wire::test::wait_until([this] { return done_.load(); }, limit)) {
            fired_ = true;
            loop.stop();
          }
        }) {}
  ~LoopGuard() { release(); }
  LoopGuard(const LoopGuard&) = delete;
  LoopGuard& operator=(const LoopGuard&) = delete;
  /// Ends the guard; true if it had to stop the loop.
  bool release() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::atomic<bool> done_{false};
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

template <typename T>
T run_guarded(Loop& loop, Task<T> task, std::chrono::milliseconds limit = 30s) {
  LoopGuard guard(loop, limit);
  return loop.run(std::move(task));
}

// An awaitable the test opens by hand: a deterministic way to finish a task.
class Gate {
 public:
  bool await_ready() const noexcept { return open_; }
  void await_suspend(std::coroutine_handle<> h) noexcept { waiter_ = h; }
  void await_resume() const noexcept {}
  void open() {
    open_ = true;
    if (auto h = std::exchange(waiter_, {})) h.resume();
  }

 private:
  bool open_ = false;
  std::coroutine_handle<> waiter_;
};

Task<void> sleeper(Census& census, bool& woke, Clock::duration d) {
  Probe local(census);
  co_await sleep_for(d);
  woke = true;
}

Task<void> log_after(std::vector<int>& log, int id, Clock::duration d) {
  co_await sleep_for(d);
  log.push_back(id);
}

// --- timers --------------------------------------------------------------------

// Sleeps spawned out of order wake in deadline order. The deadlines are known
// from timestamps taken around each spawn (a sleep's deadline is set inside
// it), so a stall of the test machine between spawns cannot change the answer.
TEST(Timers, FireInDeadlineOrder) {
  Loop loop;
  std::vector<int> log;
  std::vector<std::pair<Clock::time_point, int>> deadlines;
  auto body = [](std::vector<int>& out, std::vector<std::pair<Clock::time_point, int>>& when)
      -> Task<void> {
    const std::vector<int> ms = {150, 30, 120, 0, 60, 90, 31, 1};
    for (std::size_t i = 0; i < ms.size(); ++i) {
      auto d = std::chrono::milliseconds(ms[i]);
      auto before = Clock::now();
      Loop::current().spawn(log_after(out, static_cast<int>(i), d));
      auto after = Clock::now();
      when.emplace_back(before + (after - before) / 2 + d, static_cast<int>(i));
    }
    EXPECT_EQ(out, std::vector<int>{3});  // the zero sleep finished inside spawn()
    co_await sleep_for(200ms);            // set last, longest: wakes after all of them
    out.push_back(-1);
  };
  run_guarded(loop, body(log, deadlines));
  std::stable_sort(deadlines.begin(), deadlines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int> expected;
  for (const auto& [when, id] : deadlines) expected.push_back(id);
  expected.push_back(-1);
  EXPECT_EQ(log, expected);
  EXPECT_EQ(log.size(), 9u);
  EXPECT_EQ(loop.spawned_count(), 0u);
}

// A timer node recording its id when it fires; optionally cancels another node
// or re-arms itself once, from inside its callback.
struct Rec {
  TimerNode node;
  int id = 0;
  std::vector<int>* log = nullptr;
  Rec* cancel_other = nullptr;
  Clock::duration rearm{};
  bool rearmed = false;
  static void fire(TimerNode* n) noexcept {
    auto* self = static_cast<Rec*>(n->context);
    EXPECT_FALSE(n->pending());
    self->log->push_back(self->id);
    if (self->cancel_other) Loop::current().cancel_timer(self->cancel_other->node);
    if (self->rearm != Clock::duration{} && !self->rearmed) {
      self->rearmed = true;
      Loop::current().add_timer(self->node, self->node.when + self->rearm);
    }
  }
  void arm(Loop& loop, Clock::time_point when, std::vector<int>& out) {
    log = &out;
    node.fire = &Rec::fire;
    node.context = this;
    loop.add_timer(node, when);
  }
};

TEST(Timers, EqualDeadlinesFireInTheOrderTheyWereSet) {
  Loop loop;
  std::vector<int> log;
  auto body = [](std::vector<int>& out) -> Task<void> {
    Loop& l = Loop::current();
    auto t = Clock::now();
    std::vector<Rec> recs(9);
    const std::vector<int> offsets_ms = {20, 10, 20, 10, 20, 0, 10, 0, 20};
    for (std::size_t i = 0; i < recs.size(); ++i) {
      recs[i].id = static_cast<int>(i);
      recs[i].arm(l, t + std::chrono::milliseconds(offsets_ms[i]), out);
    }
    co_await sleep_for(60ms);
    for (const auto& r : recs) EXPECT_FALSE(r.node.pending());
  };
  run_guarded(loop, body(log));
  EXPECT_EQ(log, (std::vector<int>{5, 7, 1, 3, 6, 0, 2, 4, 8}));
}

// The heap under churn: 2000 timers with many equal deadlines, a third cancelled,
// some rescheduled while pending, some cancelling another from their callback and
// some re-arming themselves. The firing order must be exactly (deadline, order set).
TEST(Timers, HeapOrderUnderCancellationAndRescheduling) {
  Loop loop;
  std::vector<int> log;
  std::vector<int> expected;
  auto body = [](std::vector<int>& out, std::vector<int>& want) -> Task<void> {
    Loop& l = Loop::current();
    constexpr int kTimers = 2000;
    std::mt19937 rng(20240611);
    auto base = Clock::now() + 5ms;
    auto pick = [&] { return base + std::chrono::milliseconds(rng() % 20); };
    std::vector<Rec> recs(kTimers);
    for (int i = 0; i < kTimers; ++i) {
      recs[i].id = i;
      recs[i].arm(l, pick(), out);
    }
    std::vector<bool> cancelled(kTimers, false);
    for (int k = 0; k < kTimers; ++k) {
      int i = static_cast<int>(rng() % kTimers);
      switch (rng() % 4) {
        case 0:
          l.cancel_timer(recs[i].node);
          cancelled[i] = true;
          break;
        case 1:  // reschedule (pending) or re-arm (cancelled): both set anew
          l.add_timer(recs[i].node, pick());
          cancelled[i] = false;
          break;
        case 2:
          recs[i].cancel_other = &recs[rng() % kTimers];
          break;
        default:
          recs[i].rearm = 25ms;
          break;
      }
    }
    // What must happen: a reference model (an ordered set keyed by deadline and
    // sequence number) replaying the same cancels and re-arms.
    using Key = std::tuple<Clock::time_point, std::uint64_t, int>;
    std::set<Key> model;
    std::map<int, Key> key_of;
    std::uint64_t sequence = 0;
    for (int i = 0; i < kTimers; ++i) {
      EXPECT_EQ(recs[i].node.pending(), !cancelled[i]) << i;
      sequence = std::max(sequence, recs[i].node.sequence);
      if (cancelled[i]) continue;
      Key key{recs[i].node.when, recs[i].node.sequence, i};
      model.insert(key);
      key_of[i] = key;
    }
    std::vector<bool> rearmed(kTimers, false);
    for (int steps = 0; !model.empty() && steps < 3 * kTimers; ++steps) {
      auto [when, seq, id] = *model.begin();
      model.erase(model.begin());
      key_of.erase(id);
      want.push_back(id);
      const Rec& r = recs[id];
      if (r.cancel_other) {
        if (auto it = key_of.find(r.cancel_other->id); it != key_of.end()) {
          model.erase(it->second);
          key_of.erase(it);
        }
      }
      if (r.rearm != Clock::duration{} && !rearmed[id]) {
        rearmed[id] = true;
        Key key{when + r.rearm, ++sequence, id};
        model.insert(key);
        key_of[id] = key;
      }
    }
    co_await sleep_for(150ms);
    for (const auto& r : recs) EXPECT_FALSE(r.node.pending()) << r.id;
  };
  run_guarded(loop, body(log, expected));
  EXPECT_GT(expected.size(), 1000u);
  EXPECT_EQ(log, expected);
}

TEST(Timers, ZeroAndNegativeSleepsCompleteAtOnce) {
  Loop loop;
  auto body = []() -> Task<int> {
    int steps = 0;
    auto three = [](int& s) -> Task<void> {
      co_await sleep_for(0ms);
      ++s;
      co_await sleep_for(-5ms);
      ++s;
      co_await sleep_for(Clock::duration::zero());
      ++s;
    };
    Task<void> t = three(steps);
    t.handle().resume();  // never suspends, so it is done without a turn of the loop
    EXPECT_TRUE(t.done());
    co_return steps;
  };
  EXPECT_EQ(run_guarded(loop, body()), 3);
}

// Nothing but a timer: epoll_wait must time out for it.
TEST(Timers, LoopWakesForATimerWithoutFdActivity) {
  Loop loop;
  auto stopper = [](Loop& l) -> Task<void> {
    co_await sleep_for(50ms);
    l.stop();
  };
  auto start = Clock::now();
  loop.spawn(stopper(loop));
  LoopGuard guard(loop, 20s);
  loop.run();
  auto took = Clock::now() - start;
  EXPECT_FALSE(guard.release()) << "the loop never woke for its timer";
  EXPECT_GE(took, 50ms);
  EXPECT_LT(took, 10s);

  // And through run(task), with a sub-millisecond sleep (rounded up, not spun on).
  start = Clock::now();
  auto tiny = []() -> Task<int> {
    for (int i = 0; i < 20; ++i) co_await sleep_for(300us);
    co_return 20;
  };
  EXPECT_EQ(run_guarded(loop, tiny()), 20);
  EXPECT_GE(Clock::now() - start, 20 * 300us);
}

std::chrono::microseconds thread_cpu_time() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return std::chrono::seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         std::chrono::microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

// Waiting for a timer sleeps in epoll_wait rather than spinning.
TEST(Timers, WaitingForATimerDoesNotSpin) {
  Loop loop;
  auto body = []() -> Task<void> { co_await sleep_for(300ms); };
  auto cpu_before = thread_cpu_time();
  auto start = Clock::now();
  run_guarded(loop, body());
  EXPECT_GE(Clock::now() - start, 300ms);
  EXPECT_LT(thread_cpu_time() - cpu_before, 100ms);
}

TEST(Timers, DestroyingTheLoopCancelsPendingSleeps) {
  Census census;
  bool woke = false;
  {
    Loop loop;
    for (int i = 0; i < 5; ++i) loop.spawn(sleeper(census, woke, 1h));
    loop.spawn(sleeper(census, woke, 40ms));
    EXPECT_EQ(loop.spawned_count(), 6u);
    EXPECT_EQ(census.alive(), 6);
    auto short_turn = []() -> Task<void> { co_await sleep_for(5ms); };
    run_guarded(loop, short_turn());  // the loop turns with the timers pending
    EXPECT_EQ(loop.spawned_count(), 6u);
  }
  EXPECT_EQ(census.alive(), 0);
  EXPECT_EQ(census.destroyed, 6);
  EXPECT_FALSE(woke);
}

// A task destroyed while sleeping takes its timer out of the heap: the other
// timers still fire in order and the dead one never does (ASan: no use after free).
TEST(Timers, DestroyedTaskTimerNeverFires) {
  Loop loop;
  std::vector<int> log;
  auto body = [](std::vector<int>& out) -> Task<void> {
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 6; ++i) {
      tasks.push_back(log_after(out, i, std::chrono::milliseconds(10 + 10 * i)));
      tasks.back().handle().resume();  // started by hand, owned here
    }
    tasks[1] = Task<void>();  // deadline 20 ms
    tasks[4] = Task<void>();  // deadline 50 ms
    co_await sleep_for(100ms);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      EXPECT_EQ(tasks[i].done(), i != 1 && i != 4) << i;
    }
  };
  run_guarded(loop, body(log));
  EXPECT_EQ(log, (std::vector<int>{0, 2, 3, 5}));
}

// --- post() and stop() -----------------------------------------------------------

TEST(LoopPost, FromManyThreadsEveryCallbackRunsOnceOnTheLoopThread) {
  constexpr int kThreads = 4;
  constexpr int kPosts = 1000;
  Loop loop;
  const auto loop_thread = std::this_thread::get_id();
  // Touched only on the loop thread (TSan checks that too).
  std::vector<int> runs(kThreads * kPosts, 0);
  std::vector<int> last(kThreads, -1);
  int total = 0;
  int out_of_order = 0;
  int wrong_thread = 0;
  bool guard_fired = false;
  {
    LoopGuard guard(loop, 30s);
    std::vector<std::unique_ptr<wire::test::Background>> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.push_back(std::make_unique<wire::test::Background>([&, t] {
        for (int i = 0; i < kPosts; ++i) {
          loop.post([&, t, i] {
            ++runs[t * kPosts + i];
            if (i <= last[t]) ++out_of_order;  // one thread's posts keep their order
            last[t] = i;
            if (std::this_thread::get_id() != loop_thread) ++wrong_thread;
            if (++total == kThreads * kPosts) loop.stop();
          });
        }
      }));
    }
    loop.run();
    for (auto& thread : threads) thread->join();
    guard_fired = guard.release();
  }
  EXPECT_FALSE(guard_fired);
  EXPECT_EQ(total, kThreads * kPosts);
  EXPECT_EQ(std::count(runs.begin(), runs.end(), 1), kThreads * kPosts);
  EXPECT_EQ(out_of_order, 0);
  EXPECT_EQ(wrong_thread, 0);
}

// A callback posted from a callback runs in a later turn, not inside the first.
TEST(LoopPost, PostFromTheLoopThreadRunsLater) {
  Loop loop;
  std::vector<std::string> log;
  loop.post([&] {
    log.push_back("a begin");
    loop.post([&] {
      log.push_back("b");
      loop.stop();
    });
    log.push_back("a end");
  });
  LoopGuard guard(loop, 20s);
  loop.run();
  EXPECT_FALSE(guard.release());
  EXPECT_EQ(log, (std::vector<std::string>{"a begin", "a end", "b"}));
}

// An exception escaping a posted callback leaves run(); the callbacks posted
// after it are not lost (they run on the next run()), and the loop that was
// current before run() is current again.
TEST(LoopPost, ACallbackThatThrowsLosesNoOtherCallback) {
  Loop outer;
  auto body = [](Loop& out) -> Task<std::vector<int>> {
    std::vector<int> log;
    {
      Loop inner;
      inner.post([&] { log.push_back(1); });
      inner.post([] { throw std::runtime_error("from a callback"); });
      inner.post([&] { log.push_back(3); });
      inner.post([&] {
        log.push_back(4);
        inner.stop();
      });
      LoopGuard guard(inner, 20s);
      try {
        inner.run();
        ADD_FAILURE() << "no exception";
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "from a callback");
      }
      EXPECT_EQ(&Loop::current(), &out);
      EXPECT_EQ(log, std::vector<int>{1});
      inner.run();  // the rest now, in order
      EXPECT_FALSE(guard.release());
      EXPECT_EQ(&Loop::current(), &out);
    }
    co_await sleep_for(1ms);  // on the outer loop, which must still be current
    co_return log;
  };
  EXPECT_EQ(run_guarded(outer, body(outer)), (std::vector<int>{1, 3, 4}));
}

// run(task) whose run() is ended by an earlier posted callback throwing: the
// task is destroyed with run(task), and its queued start must not run later
// (ASan: it would resume a destroyed driver).
TEST(LoopPost, RunTaskEndedByAThrowingCallback) {
  Loop loop;
  Census census;
  bool woke = false;
  loop.post([] { throw std::runtime_error("first"); });
  {
    LoopGuard guard(loop, 20s);
    EXPECT_THROW(loop.run(sleeper(census, woke, 1ms)), std::runtime_error);
    EXPECT_FALSE(guard.release());
  }
  EXPECT_EQ(census.alive(), 0);
  int after = 0;
  loop.post([&] {
    ++after;
    loop.stop();
  });
  {
    LoopGuard guard(loop, 20s);
    loop.run();
    EXPECT_FALSE(guard.release());
  }
  EXPECT_EQ(after, 1);
  EXPECT_FALSE(woke);
  EXPECT_EQ(census.made, 0);  // the task never started
  auto value = []() -> Task<int> {
    co_await sleep_for(1ms);
    co_return 7;
  };
  EXPECT_EQ(run_guarded(loop, value()), 7);
}

// stop() from another thread wakes a loop blocked in epoll_wait with nothing to do.
TEST(LoopStop, FromAnotherThreadEndsRun) {
  Loop loop;
  std::atomic<bool> running{false};
  std::atomic<bool> stopped_by_thread{false};
  loop.post([&] { running = true; });
  LoopGuard guard(loop, 30s);
  wire::test::Background stopper([&] {
    if (wire::test::wait_until([&] { return running.load(); }, 20s)) {
      stopped_by_thread = true;
      loop.stop();
    }
  });
  loop.run();
  stopper.join();
  EXPECT_FALSE(guard.release());
  EXPECT_TRUE(stopped_by_thread);
}

// A loop can be run again after stop() and after run(task).
TEST(LoopStop, LoopRunsAgainAfterStopping) {
  Loop loop;
  auto value = [](int v) -> Task<int> {
    co_await sleep_for(1ms);
    co_return v;
  };
  EXPECT_EQ(run_guarded(loop, value(1)), 1);
  EXPECT_EQ(run_guarded(loop, value(2)), 2);
  int turns = 0;
  for (int round = 0; round < 3; ++round) {
    loop.post([&] {
      ++turns;
      loop.stop();
    });
    LoopGuard guard(loop, 20s);
    loop.run();
    EXPECT_FALSE(guard.release());
  }
  EXPECT_EQ(turns, 3);
  EXPECT_EQ(run_guarded(loop, value(3)), 3);
}

// run(task) when someone else stops the loop first: a std::logic_error, and the
// unfinished task is destroyed (its frame freed).
TEST(LoopStop, RunTaskThrowsIfTheLoopStopsFirst) {
  Loop loop;
  Census census;
  bool woke = false;
  auto stop_soon = [](Loop& l) -> Task<void> {
    co_await sleep_for(5ms);
    l.stop();
  };
  loop.spawn(stop_soon(loop));
  LoopGuard guard(loop, 30s);
  EXPECT_THROW(loop.run(sleeper(census, woke, 1h)), std::logic_error);
  EXPECT_FALSE(guard.release());
  EXPECT_EQ(census.alive(), 0);
  EXPECT_FALSE(woke);
}

// --- spawn -----------------------------------------------------------------------

Task<void> wait_gate(Gate& gate, Census& census, std::vector<int>& finished, int id) {
  Probe local(census);
  co_await gate;
  finished.push_back(id);
}

TEST(Spawn, CountFollowsTheTasksAndTheLoopDestroysWhatIsLeft) {
  Census census;
  std::vector<int> finished;
  Gate gates[4];
  {
    Loop loop;
    EXPECT_EQ(loop.spawned_count(), 0u);
    for (int i = 0; i < 4; ++i) loop.spawn(wait_gate(gates[i], census, finished, i));
    EXPECT_EQ(loop.spawned_count(), 4u);
    EXPECT_EQ(census.alive(), 4);
    // A task that never suspends is gone by the time spawn() returns.
    auto quick = [](Census& c) -> Task<void> {
      Probe p(c);
      co_return;
    };
    loop.spawn(quick(census));
    EXPECT_EQ(loop.spawned_count(), 4u);
    EXPECT_EQ(census.alive(), 4);

    gates[2].open();
    EXPECT_EQ(loop.spawned_count(), 3u);
    gates[0].open();
    EXPECT_EQ(loop.spawned_count(), 2u);
    EXPECT_EQ(finished, (std::vector<int>{2, 0}));
    EXPECT_EQ(census.alive(), 2);

    // Finishing on the loop: a spawned task opens gate 3 after a sleep.
    auto opener = [](Gate& g) -> Task<void> {
      co_await sleep_for(5ms);
      g.open();
    };
    loop.spawn(opener(gates[3]));
    EXPECT_EQ(loop.spawned_count(), 3u);
    auto until_done = [](Loop& l) -> Task<void> {
      for (int i = 0; i < 2000 && l.spawned_count() > 1; ++i) co_await sleep_for(1ms);
    };
    run_guarded(loop, until_done(loop));
    EXPECT_EQ(loop.spawned_count(), 1u);
    EXPECT_EQ(finished, (std::vector<int>{2, 0, 3}));
    EXPECT_EQ(census.alive(), 1);
    // Gate 1 is never opened: the loop's destructor destroys that task.
  }
  EXPECT_EQ(census.alive(), 0);
  EXPECT_EQ(finished, (std::vector<int>{2, 0, 3}));
}

Task<void> throw_now(std::string what) {
  throw std::runtime_error(what);
  co_return;
}
Task<void> throw_later(std::string what) {
  co_await sleep_for(1ms);
  throw std::runtime_error(what);
}
Task<void> throw_int_later() {
  co_await sleep_for(2ms);
  throw 42;
}

TEST(Spawn, AThrowingTaskDoesNotStopTheLoop) {
  Loop loop;
  std::vector<int> log;
  testing::internal::CaptureStderr();
  loop.spawn(throw_now("boom one"));
  EXPECT_EQ(loop.spawned_count(), 0u);
  loop.spawn(throw_later("boom two"));
  loop.spawn(throw_int_later());
  loop.spawn(log_after(log, 1, 10ms));
  EXPECT_EQ(loop.spawned_count(), 3u);
  auto last = [](std::vector<int>& out, Loop& l) -> Task<void> {
    co_await sleep_for(30ms);
    out.push_back(2);
    EXPECT_EQ(l.spawned_count(), 0u);
  };
  run_guarded(loop, last(log, loop));
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
  EXPECT_EQ(loop.spawned_count(), 0u);
  EXPECT_NE(err.find("boom one"), std::string::npos) << err;
  EXPECT_NE(err.find("boom two"), std::string::npos) << err;
  EXPECT_NE(err.find("non-standard exception"), std::string::npos) << err;
}

// A spawned task can spawn more; all of them run and are counted.
TEST(Spawn, TasksSpawnedFromTasks) {
  Loop loop;
  int leaves = 0;
  struct Tree {
    static Task<void> grow(int depth, int& count) {
      if (depth == 0) {
        co_await sleep_for(1ms);
        ++count;
        co_return;
      }
      Loop::current().spawn(grow(depth - 1, count));
      Loop::current().spawn(grow(depth - 1, count));
    }
  };
  loop.spawn(Tree::grow(8, leaves));
  EXPECT_EQ(loop.spawned_count(), 256u);  // the inner nodes finished at once
  auto until_done = [](Loop& l) -> Task<void> {
    for (int i = 0; i < 5000 && l.spawned_count() > 0; ++i) co_await sleep_for(1ms);
  };
  run_guarded(loop, until_done(loop));
  EXPECT_EQ(leaves, 256);
  EXPECT_EQ(loop.spawned_count(), 0u);
}

}  // namespace
