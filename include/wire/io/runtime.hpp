// SPDX-License-Identifier: MIT
// Runtime: N worker threads, one Loop each, sharing nothing.
#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "wire/io/loop.hpp"

namespace wire::io {

/// Worker threads with a loop each (default: one per core).
///   wire::io::Runtime rt(4);
///   rt.start([](wire::io::Loop& loop, unsigned index) { loop.spawn(serve(index)); });
///   ...; rt.stop(); rt.join();
/// Work is placed on a worker by posting to its loop; nothing is shared between
/// workers unless the caller shares it. Workers block SIGINT, SIGTERM, SIGHUP,
/// SIGQUIT, SIGUSR1 and SIGUSR2: those reach the thread that called start().
class Runtime {
 public:
  explicit Runtime(unsigned threads = 0);
  ~Runtime();  // stop() and join()
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  unsigned size() const noexcept { return static_cast<unsigned>(workers_.size()); }
  /// Starts the threads; each runs `init(loop, index)` on its own loop first.
  /// Returns once every worker's init has run (exceptions from init are rethrown here).
  void start(std::function<void(Loop&, unsigned)> init);
  /// Runs `fn` on worker `index`'s loop. Thread-safe.
  void post(unsigned index, std::function<void()> fn);
  /// Makes every loop return. Thread-safe.
  void stop() noexcept;
  /// Waits for the threads to end. Their loops (and what they still own) are
  /// destroyed on their own threads.
  void join();

 private:
  struct Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace wire::io
