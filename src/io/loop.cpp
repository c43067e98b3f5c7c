// SPDX-License-Identifier: MIT
#include "wire/io/loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <exception>
#include <iterator>
#include <system_error>

namespace wire::io {
namespace {

thread_local Loop* current_loop = nullptr;
constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::system_category(), what); }

}  // namespace

namespace detail {

// The promise of a spawned task's wrapper coroutine: linked into its loop's list
// while alive, so the loop can destroy what is still pending when it goes away.
struct Spawned {
  struct promise_type {
    Loop* loop = nullptr;
    promise_type* prev = nullptr;
    promise_type* next = nullptr;

    Spawned get_return_object() noexcept {
      return Spawned{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }  // frees itself
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept {}  // caught in the body
    ~promise_type() {
      if (!loop) return;
      if (prev) prev->next = next;
      else loop->spawned_head_ = next;
      if (next) next->prev = prev;
      --loop->spawned_count_;
    }
  };
  std::coroutine_handle<promise_type> handle;
};

Spawned spawn_wrapper(Task<void> task) {
  try {
    co_await std::move(task);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wire::io: unhandled exception in a spawned task: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "wire::io: unhandled non-standard exception in a spawned task\n");
  }
}

}  // namespace detail

Loop::Loop() : thread_(std::this_thread::get_id()), now_(Clock::now()) {
  // The first loop made on a thread is its current one even before run(), so
  // set-up code (a Runtime worker's init, a test) can attach streams to it.
  if (!current_loop) current_loop = this;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    ::close(epoll_fd_);
    fail("eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // nullptr marks the wake-up descriptor
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) < 0) {
    ::close(wake_fd_);
    ::close(epoll_fd_);
    fail("epoll_ctl(eventfd)");
  }
}

Loop::~Loop() {
  // Destroy spawned tasks still suspended: their awaiters cancel their timers and
  // waits, which needs this loop alive, so it happens first.
  Loop* previous = std::exchange(current_loop, this);
  while (spawned_head_) {
    auto* promise = static_cast<detail::Spawned::promise_type*>(spawned_head_);
    std::coroutine_handle<detail::Spawned::promise_type>::from_promise(*promise).destroy();
  }
  current_loop = previous == this ? nullptr : previous;
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

Loop& Loop::current() noexcept {
  assert(current_loop && "wire::io::Loop::current() outside a running loop");
  return *current_loop;
}

void Loop::stop() noexcept {
  if (on_loop_thread() && running_) {  // running_ is only ever touched by the loop's thread
    stopped_ = true;  // run() checks it after this batch: no wake-up needed
    return;
  }
  {
    std::lock_guard lock(posted_mutex_);
    stop_requested_ = true;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void Loop::spawn(Task<void> task) {
  assert(on_loop_thread() && "Loop::spawn from another thread: use post()");
  auto wrapper = detail::spawn_wrapper(std::move(task));
  auto& promise = wrapper.handle.promise();
  promise.loop = this;
  promise.next = static_cast<detail::Spawned::promise_type*>(spawned_head_);
  if (promise.next) promise.next->prev = &promise;
  spawned_head_ = &promise;
  ++spawned_count_;
  Loop* previous = std::exchange(current_loop, this);
  wrapper.handle.resume();  // runs until its first suspension (or to the end)
  current_loop = previous;
}

void Loop::run() {
  assert(on_loop_thread() && "a Loop runs on the thread that made it");
  // Restored however run() ends: an exception from a posted callback leaves it too.
  struct Restore {
    Loop* previous;
    ~Restore() { current_loop = previous; }
  } restore{std::exchange(current_loop, this)};
  struct Running {
    bool& flag;
    ~Running() { flag = false; }
  } running{running_};
  running_ = true;
  stopped_ = false;
  while (!stopped_) run_once();
}

bool Loop::has_posted() {
  std::lock_guard lock(posted_mutex_);
  return !posted_.empty() || stop_requested_;
}

Loop* Loop::swap_current(Loop* loop) noexcept { return std::exchange(current_loop, loop); }

void Loop::drain_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
    if (stop_requested_) {
      stop_requested_ = false;
      stopped_ = true;
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i]();
    } catch (...) {
      // The exception leaves run(); the callbacks not yet run stay queued, ahead
      // of any posted since, for the next run().
      {
        std::lock_guard lock(posted_mutex_);
        auto rest = batch.begin() + static_cast<std::ptrdiff_t>(i) + 1;
        posted_.insert(posted_.begin(), std::make_move_iterator(rest),
                       std::make_move_iterator(batch.end()));
      }
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
      throw;
    }
  }
}

void Loop::run_once() {
  int timeout_ms = -1;
  if (!timers_.empty()) {
    auto left = timers_.front()->when - Clock::now();
    // Round up: waking a little late is fine, waking early spins.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    timeout_ms = static_cast<int>(std::clamp<long long>(ms, 0, INT_MAX));
  }
  epoll_event events[128];
  int n = ::epoll_wait(epoll_fd_, events, 128, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return;
    fail("epoll_wait");
  }
  now_ = Clock::now();
  for (int i = 0; i < n; ++i) {
    auto* state = static_cast<detail::IoState*>(events[i].data.ptr);
    if (!state) {
      std::uint64_t count;
      [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
      drain_posted();
      continue;
    }
    if (state->retired) continue;  // detached earlier in this batch
    std::uint32_t ev = events[i].events;
    // Errors and hang-ups wake both sides: the next syscall reports them.
    if (ev & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) state->hung_up = true;
    if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
      state->read_hint = true;
      if (state->reader) {
        auto* waiter = std::exchange(state->reader, nullptr);
        waiter->ready(waiter);
      } else if (state->level && !state->retired) {
        // Nobody waits (a server at its connection limit): stop the reports until someone does.
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, state->fd, nullptr);
        state->disarmed = true;
      }
    }
    if (state->retired) continue;  // the reader closed it
    if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      state->write_hint = true;
      if (state->writer) {
        auto* waiter = std::exchange(state->writer, nullptr);
        waiter->ready(waiter);
      }
    }
  }
  fire_timers();
  // Recycle what was released in this batch; keep a bounded pool.
  for (auto& state : retired_) {
    // A pinned one (see release()) is never freed: a late event may name it.
    if (state->pinned || free_states_.size() < kStatePool) free_states_.push_back(std::move(state));
  }
  retired_.clear();
}

// --- timers: a binary min-heap of nodes that live in their awaiters ----------

bool Loop::earlier(const detail::TimerNode* a, const detail::TimerNode* b) noexcept {
  return a->when < b->when || (a->when == b->when && a->sequence < b->sequence);
}

void Loop::heap_swap(std::size_t a, std::size_t b) noexcept {
  std::swap(timers_[a], timers_[b]);
  timers_[a]->index = a;
  timers_[b]->index = b;
}

void Loop::heap_up(std::size_t i) noexcept {
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!earlier(timers_[i], timers_[parent])) break;
    heap_swap(i, parent);
    i = parent;
  }
}

void Loop::heap_down(std::size_t i) noexcept {
  for (;;) {
    std::size_t left = 2 * i + 1, right = left + 1, best = i;
    if (left < timers_.size() && earlier(timers_[left], timers_[best])) best = left;
    if (right < timers_.size() && earlier(timers_[right], timers_[best])) best = right;
    if (best == i) return;
    heap_swap(i, best);
    i = best;
  }
}

void Loop::add_timer(detail::TimerNode& node, Clock::time_point when) {
  assert(on_loop_thread());
  if (node.pending()) cancel_timer(node);
  node.when = when;
  node.sequence = ++timer_sequence_;
  node.index = timers_.size();
  timers_.push_back(&node);
  heap_up(node.index);
}

void Loop::cancel_timer(detail::TimerNode& node) noexcept {
  if (!node.pending()) return;
  assert(on_loop_thread());
  std::size_t i = node.index;
  std::size_t last = timers_.size() - 1;
  if (i != last) heap_swap(i, last);
  timers_.pop_back();
  node.index = kNoIndex;
  if (i < timers_.size()) {
    heap_up(i);
    heap_down(timers_[i]->index == i ? i : timers_[i]->index);
  }
}

void Loop::fire_timers() {
  auto now = Clock::now();
  while (!timers_.empty() && timers_.front()->when <= now) {
    detail::TimerNode* node = timers_.front();
    cancel_timer(*node);
    node->fire(node);  // may add or cancel other timers
  }
}

// --- descriptors -------------------------------------------------------------

namespace {
std::uint32_t read_events(const detail::IoState& state) noexcept {
  return state.level ? EPOLLIN | EPOLLRDHUP : EPOLLIN | EPOLLRDHUP | EPOLLET;
}
}  // namespace

detail::IoState* Loop::attach(int fd, bool level_triggered) {
  assert(on_loop_thread());
  std::unique_ptr<detail::IoState> state;
  if (free_states_.empty()) {
    state = std::make_unique<detail::IoState>();
  } else {
    state = std::move(free_states_.back());
    free_states_.pop_back();
  }
  *state = detail::IoState{fd, this, nullptr, nullptr, false, true, true, false, false, state->pinned,
                           level_triggered, false};
  epoll_event ev{};
  ev.events = read_events(*state);
  ev.data.ptr = state.get();
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) fail("epoll_ctl(ADD)");
  ++attached_;
  return state.release();
}

void Loop::rearm(detail::IoState& state) {
  if (!state.disarmed) return;
  epoll_event ev{};
  ev.events = read_events(state);
  ev.data.ptr = &state;
  // Level-triggered: reported by the next epoll_wait if it is ready already.
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, state.fd, &ev) < 0) fail("epoll_ctl(ADD)");
  state.disarmed = false;
}

void Loop::watch_writes(detail::IoState& state) {
  if (state.watching_writes) return;
  epoll_event ev{};
  ev.events = read_events(state) | EPOLLOUT;
  ev.data.ptr = &state;
  // If the socket is writable already, epoll reports it at once: no edge is lost.
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, state.fd, &ev) < 0) fail("epoll_ctl(MOD)");
  state.watching_writes = true;
}

void Loop::release(detail::IoState* state, bool closing) noexcept {
  if (!state) return;
  assert(on_loop_thread() && "a wire::io stream is closed on its loop's thread");
  // Closing a descriptor takes it out of epoll's interest list by itself once no other
  // descriptor refers to the socket (no dup(), no child holding a copy), so the
  // EPOLL_CTL_DEL, one system call per connection, is skipped then, as nginx does. Should
  // another reference keep the registration alive, its events name this state, which is
  // therefore pinned: kept in the pool for the loop's life (the pool then holds at most
  // the peak number of descriptors), and such an event reaches its next user as a spurious
  // wake-up: a read or write retries its system call and waits again on EAGAIN, and a
  // wait_readable() that returns early is followed by a read that finds nothing and waits.
  if (state->disarmed) {
    // Not in epoll's interest list.
  } else if (closing && (state->pinned || free_states_.size() + retired_.size() < kStatePool)) {
    state->pinned = true;
  } else {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, state->fd, nullptr);
  }
  state->retired = true;
  auto* reader = std::exchange(state->reader, nullptr);
  auto* writer = std::exchange(state->writer, nullptr);
  --attached_;
  // Kept until the end of the batch: a later event in it may point here.
  retired_.emplace_back(state);
  if (reader) reader->cancel(reader);
  if (writer) writer->cancel(writer);
}

// --- sleep_for ---------------------------------------------------------------

void SleepAwaiter::await_suspend(std::coroutine_handle<> h) {
  waiter_ = h;
  loop_ = &Loop::current();
  node_.fire = &SleepAwaiter::fire;
  node_.context = this;
  loop_->add_timer(node_, Clock::now() + duration_);
}

void SleepAwaiter::fire(detail::TimerNode* node) noexcept {
  auto* self = static_cast<SleepAwaiter*>(node->context);
  self->waiter_.resume();
}

SleepAwaiter::~SleepAwaiter() {
  if (loop_) loop_->cancel_timer(node_);
}

}  // namespace wire::io
