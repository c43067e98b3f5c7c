// SPDX-License-Identifier: MIT
// A counting window over budget_counters.h, shared by the budget tests (HTTP server, echo): it
// opens and closes with the worker parked in epoll_wait, so each wake-up is counted once and the
// counts are exact; then the counts by system call and the allocations.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "budget_counters.h"
#include "support/wait.hpp"

namespace wire::test::budget {

// System calls by name ("recv"), counted over a window.
using Calls = std::map<std::string, unsigned long>;

struct Counted {
  Calls calls;
  unsigned long allocations = 0;
};

// "recv 64, send 64" (for failure messages).
inline std::string describe(const Calls& calls) {
  std::string s;
  for (const auto& [name, n] : calls) s += (s.empty() ? "" : ", ") + name + ' ' + std::to_string(n);
  return s;
}

// Waits (for a condition, not a time) until the worker is parked in epoll_wait.
inline void wait_parked() {
  using namespace std::chrono_literals;
  ASSERT_TRUE(wire::test::wait_until([] { return wire_budget_parked() == 1; }, 10s, 1ms))
      << "the worker never went back to epoll_wait";
}

// What the worker does while `work` runs on this thread, from parked to parked.
template <typename F>
Counted count_while(F&& work) {
  wait_parked();
  wire_budget_start();
  work();
  wait_parked();
  wire_budget_stop();
  Counted c;
  for (int i = 0; i < WIRE_CALL_COUNT; ++i) {
    if (unsigned long n = wire_budget_calls(i)) c.calls[wire_budget_name(i)] = n;
  }
  c.allocations = wire_budget_allocations();
  return c;
}

// Checks `got` against `budget` (per unit) for `n` units: every kind of call at most its budget
// times n (one the budget does not name: none). Printed in full when it fails.
inline void expect_within(const Calls& got, const Calls& budget, unsigned long n) {
  for (const auto& [name, k] : got) {
    auto it = budget.find(name);
    unsigned long allowed = it == budget.end() ? 0 : it->second * n;
    EXPECT_LE(k, allowed) << name << " over budget: counted " << describe(got) << " for " << n
                          << "; budget per unit " << describe(budget);
  }
}

}  // namespace wire::test::budget
