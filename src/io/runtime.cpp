// SPDX-License-Identifier: MIT
#include "wire/io/runtime.hpp"

#include <pthread.h>

#include <csignal>
#include <exception>
#include <latch>
#include <mutex>

#include "wire/io/stream.hpp"

namespace wire::io {

struct Runtime::Worker {
  std::thread thread;
  std::mutex mutex;      // guards `loop`: post() from other threads vs. the loop ending
  Loop* loop = nullptr;  // set while the worker's loop exists
};

Runtime::Runtime(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
}

Runtime::~Runtime() {
  stop();
  join();
}

void Runtime::start(std::function<void(Loop&, unsigned)> init) {
  // Workers inherit a mask with the process-directed signals blocked, so SIGINT
  // or SIGTERM always reaches the thread that started the runtime (where a
  // SignalSet, or the default action, deals with it), never a worker's loop.
  sigset_t block, saved;
  sigemptyset(&block);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, &saved);
  struct Restore {
    sigset_t* mask;
    ~Restore() { pthread_sigmask(SIG_SETMASK, mask, nullptr); }
  } restore{&saved};
  std::latch ready(static_cast<std::ptrdiff_t>(workers_.size()));
  std::mutex error_mutex;
  std::exception_ptr error;
  for (unsigned i = 0; i < workers_.size(); ++i) {
    Worker* w = workers_[i].get();
    w->thread = std::thread([w, i, &init, &ready, &error_mutex, &error] {
      detail::block_sigpipe_on_this_thread();  // wire's own thread: see SendfileOp
      Loop loop;
      {
        std::lock_guard lock(w->mutex);
        w->loop = &loop;
      }
      bool ok = true;
      try {
        init(loop, i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        ok = false;
      }
      ready.count_down();  // `init`, `ready` and `error` are not touched after this
      if (ok) loop.run();
      std::lock_guard lock(w->mutex);
      w->loop = nullptr;
      // `loop` is destroyed here, on its own thread, with the tasks it still owns.
    });
  }
  ready.wait();
  if (error) {
    stop();
    join();
    std::rethrow_exception(error);
  }
}

void Runtime::post(unsigned index, std::function<void()> fn) {
  Worker& w = *workers_.at(index);
  std::lock_guard lock(w.mutex);
  if (w.loop) w.loop->post(std::move(fn));
}

void Runtime::stop() noexcept {
  for (auto& w : workers_) {
    std::lock_guard lock(w->mutex);
    if (w->loop) w->loop->stop();
  }
}

void Runtime::join() {
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace wire::io
