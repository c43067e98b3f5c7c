// SPDX-License-Identifier: MIT
// Loop: one epoll event loop per thread, driving wire::io coroutines.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "wire/io/task.hpp"

namespace wire::io {

using Clock = std::chrono::steady_clock;

class Loop;

namespace detail {

// A timer entry living inside an awaiter (no allocation). The loop keeps a
// binary min-heap of pointers to these; `index` is the node's heap slot.
struct TimerNode {
  Clock::time_point when{};
  std::uint64_t sequence = 0;  // equal deadlines fire in the order they were set
  std::size_t index = static_cast<std::size_t>(-1);
  void (*fire)(TimerNode*) = nullptr;
  void* context = nullptr;  // for fire(): the awaiter that owns the node
  bool pending() const noexcept { return index != static_cast<std::size_t>(-1); }
};

// What the loop knows about one descriptor: who waits to read and to write.
// Registered edge-triggered once; every operation tries its syscall first and
// waits here only on EAGAIN. The loop owns these (Loop::attach/release) so that
// one released while a batch of events is being dispatched stays valid until
// the batch ends.
// Someone waiting on a descriptor. ready() is called when epoll reports the
// direction ready; it retries its syscall and either finishes (resuming its
// coroutine) or re-registers itself on a spurious wake-up.
// cancel() is called instead when the descriptor is released (closed) while
// the waiter is registered: the operation ends with operation_canceled.
struct IoWaiter {
  void (*ready)(IoWaiter*) = nullptr;
  void (*cancel)(IoWaiter*) = nullptr;
};

struct IoState {
  int fd = -1;
  Loop* loop = nullptr;
  IoWaiter* reader = nullptr;
  IoWaiter* writer = nullptr;
  bool retired = false;
  // Whether trying the syscall before waiting is worth it: cleared when a try
  // finds nothing (EAGAIN) or drains the socket (a short read or write), set
  // again by the next epoll event for that direction. Saves the EAGAIN syscall
  // a request-response connection would otherwise make on every message.
  bool read_hint = true;
  bool write_hint = true;
  // The peer closed or the socket failed: from then on every try is worth it
  // (a short read can leave the EOF behind it, and no further event will come).
  bool hung_up = false;
  // EPOLLOUT is asked for only once a write has had to wait: until then no
  // write-space wake-ups reach the loop (most connections never fill their buffer).
  bool watching_writes = false;
  // Once released by a close without EPOLL_CTL_DEL (Loop::release): kept for good.
  bool pinned = false;
  // Registered level-triggered (a listener: Loop::attach). A success there does not say
  // whether more is ready: the next try waits for epoll, which reports again at once if so.
  bool level = false;
  // A level-triggered descriptor reported ready with nobody waiting is taken out of epoll
  // (it would be reported on every epoll_wait); the next waiter puts it back (Loop::rearm).
  bool disarmed = false;
};

// Detached coroutine used by Loop::spawn: destroys itself when done, and is
// destroyed by the loop if the loop goes away first.
struct Spawned;

}  // namespace detail

/// An epoll event loop. One per thread; coroutines run on the loop that resumes them.
///   wire::io::Loop loop;
///   loop.spawn(serve(listener));   // a Task<void> owned by the loop
///   loop.run();                    // until loop.stop()
/// Only post() and stop() may be called from other threads.
class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  /// Runs until stop() is called.
  void run();
  /// Runs until `task` finishes and returns its result (or rethrows its exception).
  template <typename T>
  T run(Task<T> task);

  /// Makes run() return after the current batch of events. Thread-safe; from
  /// the loop's own thread inside run() it costs no system call.
  void stop() noexcept;
  /// Whether run() is active (on the loop's thread).
  bool running() const noexcept { return running_; }
  /// Runs `fn` on the loop's thread soon. Thread-safe; wakes the loop (eventfd).
  void post(std::function<void()> fn);
  /// Starts `task` now, detached: the loop owns it until it finishes, and
  /// destroys it (cancelling whatever it waits for) if the loop is destroyed first.
  /// An exception escaping it is printed to stderr; the loop goes on.
  void spawn(Task<void> task);
  /// Tasks spawned and not yet finished.
  std::size_t spawned_count() const noexcept { return spawned_count_; }

  /// The loop running on this thread. Precondition: inside run().
  static Loop& current() noexcept;
  /// The loop's clock, read once per batch of events.
  Clock::time_point now() const noexcept { return now_; }

  // --- for awaiters (wire::io internals) -------------------------------
  void add_timer(detail::TimerNode& node, Clock::time_point when);
  void cancel_timer(detail::TimerNode& node) noexcept;
  /// Registers a non-blocking descriptor with epoll, edge-triggered, or level-triggered
  /// for a listening socket: accepting until EAGAIN, as an edge requires, makes a failed
  /// accept4() per wake-up, and Linux allocates (and frees) a socket for each.
  /// The descriptor stays the caller's; release() before closing it.
  detail::IoState* attach(int fd, bool level_triggered = false);
  /// Puts a disarmed level-triggered descriptor back into epoll (a waiter is coming).
  void rearm(detail::IoState& state);
  /// Adds EPOLLOUT to a descriptor's registration (the first time a write waits).
  void watch_writes(detail::IoState& state);
  /// Deregisters; operations still waiting on it end with operation_canceled
  /// (resumed from here). The state is recycled after the current batch of events.
  /// `closing`: the caller closes the descriptor right after, which deregisters it
  /// without a system call.
  void release(detail::IoState* state, bool closing = false) noexcept;
  bool on_loop_thread() const noexcept { return std::this_thread::get_id() == thread_; }

 private:
  friend struct detail::Spawned;
  bool has_posted();
  static Loop* swap_current(Loop* loop) noexcept;
  void run_once();
  void fire_timers();
  void drain_posted();
  void heap_up(std::size_t i) noexcept;
  void heap_down(std::size_t i) noexcept;
  void heap_swap(std::size_t a, std::size_t b) noexcept;
  static bool earlier(const detail::TimerNode* a, const detail::TimerNode* b) noexcept;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stopped_ = false;
  bool running_ = false;  // inside run(): a stop() from this thread needs no wake-up
  std::thread::id thread_;
  Clock::time_point now_;
  std::vector<detail::TimerNode*> timers_;
  std::uint64_t timer_sequence_ = 0;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;  // guarded by posted_mutex_
  void* spawned_head_ = nullptr;  // intrusive list of detail::Spawned promises
  std::size_t spawned_count_ = 0;
  // States released during the current batch (epoll may still hand us their
  // pointers), and released ones ready for reuse.
  std::vector<std::unique_ptr<detail::IoState>> retired_;
  std::vector<std::unique_ptr<detail::IoState>> free_states_;
  static constexpr std::size_t kStatePool = 1024;  // recycled states kept
  std::size_t attached_ = 0;
};

/// Suspends the calling coroutine for `duration` on the current loop.
///   co_await wire::io::sleep_for(100ms);
class [[nodiscard]] SleepAwaiter {
 public:
  explicit SleepAwaiter(Clock::duration d) noexcept : duration_(d) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  ~SleepAwaiter();
  bool await_ready() const noexcept { return duration_ <= Clock::duration::zero(); }
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() const noexcept {}

 private:
  static void fire(detail::TimerNode* node) noexcept;
  detail::TimerNode node_;
  Clock::duration duration_;
  std::coroutine_handle<> waiter_;
  Loop* loop_ = nullptr;
};

inline SleepAwaiter sleep_for(Clock::duration d) noexcept { return SleepAwaiter(d); }

/// Runs `task` to completion on a private loop on this thread and returns its
/// result, like Python's asyncio.run(). The blocking APIs use this.
template <typename T>
T run(Task<T> task) {
  Loop loop;
  return loop.run(std::move(task));
}

namespace detail {

struct RunDriver {
  struct promise_type {
    RunDriver get_return_object() noexcept {
      return RunDriver{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept {}  // the task's own promise holds it
  };
  std::coroutine_handle<promise_type> handle;
  ~RunDriver() {
    if (handle) handle.destroy();
  }
};

// Awaits the task without taking its result, then stops the loop.
template <typename T>
RunDriver drive(Task<T>& task, Loop& loop) {
  struct Wait {
    typename Task<T>::Handle h;
    bool await_ready() const noexcept { return h.done(); }
    void await_suspend(std::coroutine_handle<> me) noexcept {
      h.promise().continuation_ = me;
      transfer(me, h);
    }
    void await_resume() const noexcept {}
  };
  co_await Wait{task.handle()};
  if (loop.running()) loop.stop();  // a task that finished at once never entered run()
}

}  // namespace detail

template <typename T>
T Loop::run(Task<T> task) {
  auto driver = detail::drive(task, *this);
  if (!has_posted()) {
    // Nothing queued to go first: start the task here, and enter the loop only
    // if it has to wait. A step that finishes at once (a request that fits the
    // socket buffer, an answer already read) costs no epoll_wait and no eventfd.
    Loop* previous = swap_current(this);
    driver.handle.resume();
    swap_current(previous);
    if (task.done()) return task.result();
    run();
  } else {
    // Callbacks posted earlier run first. If run() ends by an exception before
    // the start ran, the callback stays queued (see drain_posted()) and must
    // then find the driver gone: hence the token.
    auto token = std::make_shared<detail::RunDriver*>(&driver);
    struct Disarm {
      detail::RunDriver** token;
      ~Disarm() { *token = nullptr; }
    } disarm{token.get()};
    post([token] {
      if (*token) (*token)->handle.resume();
    });
    run();
  }
  if (!task.done()) {
    throw std::logic_error("wire::io::Loop::run(task): the loop stopped before the task finished");
  }
  return task.result();
}

}  // namespace wire::io
