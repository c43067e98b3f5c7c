// SPDX-License-Identifier: MIT
// with_timeout(): a deadline on any awaitable task.
#pragma once

#include <chrono>
#include <coroutine>
#include <string>

#include "wire/error.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/task.hpp"

namespace wire::io {

namespace detail {

// Starts the task and a timer; whichever ends first resumes the awaiter. When the
// timer wins, the task's frame is destroyed, which withdraws whatever it waits on.
template <typename T>
class TimeoutAwaiter {
 public:
  TimeoutAwaiter(Task<T>& task, Clock::duration timeout) noexcept : task_(task), timeout_(timeout) {}
  TimeoutAwaiter(const TimeoutAwaiter&) = delete;
  ~TimeoutAwaiter() {
    if (loop_) loop_->cancel_timer(node_);
  }

  bool await_ready() const noexcept { return !task_.valid() || task_.done(); }
  void await_suspend(std::coroutine_handle<> awaiting) {
    awaiting_ = awaiting;
    loop_ = &Loop::current();
    node_.fire = &TimeoutAwaiter::fire;
    node_.context = this;
    loop_->add_timer(node_, Clock::now() + timeout_);  // before the task can finish
    task_.handle().promise().continuation_ = awaiting;
    transfer(awaiting, task_.handle());
  }
  T await_resume() {
    if (loop_) loop_->cancel_timer(node_);
    if (timed_out_) {
      throw TimeoutError("with_timeout: gave up after " +
                         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            timeout_).count()) + " ms");
    }
    return std::move(task_).result_or_throw();
  }

 private:
  static void fire(TimerNode* node) {
    auto* self = static_cast<TimeoutAwaiter*>(node->context);
    self->timed_out_ = true;
    self->task_ = Task<T>();  // destroys the suspended task: its operations withdraw
    self->awaiting_.resume();
  }

  Task<T>& task_;
  Clock::duration timeout_;
  TimerNode node_;
  Loop* loop_ = nullptr;
  std::coroutine_handle<> awaiting_;
  bool timed_out_ = false;
};

}  // namespace detail

/// Runs `task`, giving up after `timeout`: then the task is destroyed, which
/// cancels the operation it was waiting on, and wire::TimeoutError is thrown.
///   auto line = co_await wire::io::with_timeout(stream.read_until("\r\n", 8192), 5s);
template <typename T>
Task<T> with_timeout(Task<T> task, Clock::duration timeout) {
  co_return co_await detail::TimeoutAwaiter<T>(task, timeout);
}

}  // namespace wire::io
