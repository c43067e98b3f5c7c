// SPDX-License-Identifier: MIT
#include "support/wait.hpp"

#include <algorithm>

namespace wire::test {

bool wait_until(const std::function<bool()>& predicate,
                std::chrono::steady_clock::time_point deadline,
                std::chrono::milliseconds interval) {
  for (;;) {
    if (predicate()) return true;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return predicate();
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(interval, deadline - now));
  }
}

bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  return wait_until(predicate, std::chrono::steady_clock::now() + timeout, interval);
}

}  // namespace wire::test
