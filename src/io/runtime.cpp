// SPDX-License-Identifier: MIT
#include "wire/io/runtime.hpp"

#include <exception>
#include <latch>
#include <mutex>

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
  std::latch ready(static_cast<std::ptrdiff_t>(workers_.size()));
  std::mutex error_mutex;
  std::exception_ptr error;
  for (unsigned i = 0; i < workers_.size(); ++i) {
    Worker* w = workers_[i].get();
    w->thread = std::thread([w, i, &init, &ready, &error_mutex, &error] {
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
