// SPDX-License-Identifier: MIT
// Task<T>: the coroutine type of wire::io.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace wire::io {

template <typename T = void>
class Task;

namespace detail {

// Hands control from one coroutine to another without nesting resume() calls.
// Symmetric transfer (await_suspend returning the next handle) only keeps the
// stack flat when the compiler emits it as a tail call, and GCC 12 does not at
// -O0 or with sanitizers: a chain of tasks that finish without suspending then
// overflows the stack. So a coroutine handing over records the next one in the
// trampoline that resumed it and suspends; the trampoline, one frame down the
// stack, resumes it. A coroutine resumed some other way (by the loop, by
// spawn(), by hand) starts a trampoline of its own right there.
struct Trampoline {
  std::coroutine_handle<> running;
  std::coroutine_handle<> next;
};
inline thread_local Trampoline* current_trampoline = nullptr;

// Called by `self`'s await_suspend, as its last act: `self` suspends and `next`
// runs. `self` may have been resumed, even finished, by the time this returns.
inline void transfer(std::coroutine_handle<> self, std::coroutine_handle<> next) noexcept {
  Trampoline* outer = current_trampoline;
  if (outer && outer->running == self && !outer->next) {
    outer->next = next;  // resumed by `outer` as soon as `self` has suspended
    return;
  }
  Trampoline mine{{}, next};
  current_trampoline = &mine;
  while (mine.next) {
    mine.running = std::exchange(mine.next, {});
    mine.running.resume();  // wire::io coroutines do not throw out of resume()
  }
  current_trampoline = outer;
}

// Resumes whoever awaited the task when it finishes, through transfer(), so a
// chain of nested tasks never grows the stack.
struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <typename Promise>
  void await_suspend(std::coroutine_handle<Promise> h) const noexcept {
    auto continuation = h.promise().continuation_;
    if (continuation) transfer(h, continuation);
  }
  void await_resume() const noexcept {}
};

// Coroutine frames: every call of a Task allocates one, and a request/response exchange
// makes several. Freed frames up to 4 KiB are kept per thread, by size in 16-byte steps,
// and reused (src/io/task.cpp); the cache is bounded, and off in sanitizer builds so
// that use-after-free in a frame is still found there.
void* allocate_frame(std::size_t size);
void free_frame(void* frame, std::size_t size) noexcept;

struct PromiseBase {
  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* frame, std::size_t size) noexcept { free_frame(frame, size); }

  std::suspend_always initial_suspend() const noexcept { return {}; }  // lazy
  FinalAwaiter final_suspend() const noexcept { return {}; }
  std::coroutine_handle<> continuation_;
};

template <typename T>
struct Promise : PromiseBase {
  std::variant<std::monostate, T, std::exception_ptr> result_;

  Task<T> get_return_object() noexcept;
  void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }
  template <typename U>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    result_.template emplace<1>(std::forward<U>(value));
  }
  T take() {
    if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
    return std::move(std::get<1>(result_));
  }
};

template <>
struct Promise<void> : PromiseBase {
  std::exception_ptr error_;

  Task<void> get_return_object() noexcept;
  void unhandled_exception() noexcept { error_ = std::current_exception(); }
  void return_void() const noexcept {}
  void take() {
    if (error_) std::rethrow_exception(error_);
  }
};

}  // namespace detail

/// A lazily started coroutine producing a T (or an exception).
///   wire::io::Task<int> answer() { co_return 42; }
///   int x = co_await answer();          // inside another coroutine
///   int y = wire::io::run(answer());    // from blocking code
/// The task starts when awaited and resumes its awaiter when done; an exception
/// thrown inside reaches the awaiter. Destroying a Task that has not finished
/// destroys its frame, and with it every awaiter suspended inside (they cancel
/// their pending operations in their destructors).
template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  bool valid() const noexcept { return static_cast<bool>(handle_); }
  bool done() const noexcept { return handle_ && handle_.done(); }

  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle handle;
      bool await_ready() const noexcept { return !handle || handle.done(); }
      void await_suspend(std::coroutine_handle<> awaiting) noexcept {
        handle.promise().continuation_ = awaiting;
        detail::transfer(awaiting, handle);  // start the task now, on this thread
      }
      T await_resume() {
        if (!handle) throw std::logic_error("wire::io::Task: co_await on an empty task");
        return handle.promise().take();
      }
    };
    return Awaiter{handle_};
  }

  /// For drivers (run(), spawn()): the raw handle, still owned by the Task.
  Handle handle() const noexcept { return handle_; }
  /// The result once done(); rethrows the task's exception.
  T result() { return handle_.promise().take(); }
  /// The same for an awaiter that started the task itself (with_timeout).
  T result_or_throw() && {
    if (!handle_) throw std::logic_error("wire::io::Task: no result in an empty task");
    return handle_.promise().take();
  }

 private:
  void reset() noexcept {
    if (handle_) std::exchange(handle_, {}).destroy();
  }
  Handle handle_;
};

namespace detail {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace wire::io
