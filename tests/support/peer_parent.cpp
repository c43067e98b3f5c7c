// SPDX-License-Identifier: MIT
// A stand-in for a test that starts a peer: runs argv[1..] as a wire::test::ChildProcess,
// prints the peer's PID on a line, and waits (at most two minutes) for someone to kill it.
// support_tests kills it with SIGKILL, as ctest does to a test past its timeout, and checks
// that the peer went with it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/wait.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: peer_parent PROGRAM [ARG...]\n");
    return 2;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  wire::test::ChildProcess peer(args);
  std::printf("%d\n", static_cast<int>(peer.pid()));
  std::fflush(stdout);
  // Bounded, in case nobody comes: the peer must then end with this process's normal exit.
  wire::test::wait_until([] { return false; }, std::chrono::minutes(2), std::chrono::milliseconds(100));
  return 1;
}
