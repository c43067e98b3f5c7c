// SPDX-License-Identifier: MIT
// Waiting on conditions with deadlines, and threads that are always joined.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <thread>
#include <utility>

namespace wire::test {

using namespace std::chrono_literals;

/// Calls `predicate` until it returns true or `deadline` passes, pausing `interval`
/// between calls. Returns the predicate's last result (true: the condition holds).
/// Use it instead of sleeping: `ASSERT_TRUE(wait_until([&] { return done; }, 5s));`
bool wait_until(const std::function<bool()>& predicate,
                std::chrono::steady_clock::time_point deadline,
                std::chrono::milliseconds interval = 2ms);

/// The same with a relative timeout (from now).
bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = 2ms);

/// Runs a function on its own thread. join() waits for it and rethrows what it
/// threw, so a failed ASSERT-free check (or an exception) in the thread reaches the
/// test. The destructor joins too (swallowing the exception), so the thread never
/// outlives the test's locals:
///   wire::test::Background sender([&] { client.send_all(data); });
///   ... read on this thread ...
///   sender.join();   // rethrows a std::system_error from send_all, if any
class Background {
 public:
  template <class F>
  explicit Background(F&& f)
      : thread_([this, fn = std::forward<F>(f)]() mutable {
          try {
            fn();
          } catch (...) {
            error_ = std::current_exception();
          }
        }) {}
  ~Background() {
    if (thread_.joinable()) thread_.join();
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  /// Waits for the function to return; rethrows its exception, if any. Idempotent.
  void join() {
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after error_ exists
};

}  // namespace wire::test
