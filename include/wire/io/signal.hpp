// SPDX-License-Identifier: MIT
// Signals (SIGINT, SIGTERM, ...) delivered as loop events through signalfd.
#pragma once

#include <csignal>
#include <initializer_list>

#include "wire/io/loop.hpp"
#include "wire/io/task.hpp"

namespace wire::io {

/// Blocks the given signals for the calling thread (and the threads it starts
/// afterwards) and makes them readable on a loop:
///   wire::io::SignalSet signals{SIGINT, SIGTERM};   // before starting threads
///   int sig = co_await signals.wait();              // on the loop
/// The previous signal mask is restored when the set is destroyed.
class SignalSet {
 public:
  SignalSet(std::initializer_list<int> signals);
  ~SignalSet();
  SignalSet(const SignalSet&) = delete;
  SignalSet& operator=(const SignalSet&) = delete;

  /// The next of these signals to arrive. Call on the loop that will wait.
  Task<int> wait();
  int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
  sigset_t set_{};
  sigset_t previous_{};
};

}  // namespace wire::io
