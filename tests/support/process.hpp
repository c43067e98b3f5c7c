// SPDX-License-Identifier: MIT
// Child processes for tests: run a command to completion (run_process) or keep a
// peer running in the background while the test talks to it (ChildProcess).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace wire::test {

using namespace std::chrono_literals;

/// How to start a child.
struct ProcessOptions {
  /// Written to the child's stdin, which is then closed (so an empty input is EOF).
  std::string input{};
  /// run_process(): the child is killed (SIGKILL, by its PID) when this passes.
  std::chrono::milliseconds timeout = 30s;
  /// Working directory; empty: the test's own.
  std::filesystem::path cwd{};
  /// Environment variables set (or replaced) in the child; the rest is inherited.
  std::vector<std::pair<std::string, std::string>> env{};
  /// ChildProcess only: keep the child's stdin open after `input` is written, until
  /// the child exits, for peers that end their session at EOF on stdin
  /// (openssl s_server relays stdin to its client and hangs up at EOF).
  bool hold_stdin = false;
};

/// How a child ended and what it wrote.
struct ProcessResult {
  int exit_code = -1;      ///< the exit status if it exited, else -1
  int signal = 0;          ///< the signal that killed it, else 0
  bool timed_out = false;  ///< run_process() killed it because the timeout passed
  std::string out;         ///< everything it wrote to stdout
  std::string err;         ///< everything it wrote to stderr
};

/// Runs argv (argv[0] is looked up in PATH) with pipes on stdin, stdout and stderr,
/// waits for it at most options.timeout, and returns its status and output.
///   auto r = wire::test::run_process({"/usr/bin/curl", "-s", url});
///   EXPECT_EQ(r.exit_code, 0) << r.err;
/// @throws std::system_error if the program cannot be started (not found, ...).
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// A child running alongside the test, e.g. a peer server. Its stdout and stderr are
/// collected by a thread (read them any time with out() / err()); options.input is fed
/// to its stdin. The destructor kills it (SIGKILL) if it still runs and reaps it. The child
/// leads a process group of its own: when it has exited, whatever it left running in that
/// group is killed (SIGKILL) as it is reaped.
/// The child dies with the test even when the test is killed (ctest's timeout): it gets
/// SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG), so start a peer from the
/// test's own thread, not from a thread that ends before the peer should. Its own children
/// are not covered by that: a peer that forks workers must run without them (nginx with
/// `master_process off`) or end them itself.
///   wire::test::ChildProcess server({"/usr/bin/python3", "-m", "http.server", "8000"});
///   ASSERT_TRUE(wire::test::wait_for_listener(addr, 10s)) << server.err();
///   ...
///   auto r = server.stop();
class ChildProcess {
 public:
  /// Starts argv. options.timeout is not used here (see wait()).
  /// @throws std::system_error if the program cannot be started.
  explicit ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});
  /// Kills the child with SIGKILL if it still runs, reaps it, stops the reader thread.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// The child's process id.
  pid_t pid() const noexcept { return pid_; }
  /// True until the child has exited (reaps it when it has).
  bool running();
  /// What the child has written to stdout so far.
  std::string out() const;
  /// What the child has written to stderr so far.
  std::string err() const;

  /// Waits at most `timeout` for the child to exit; std::nullopt if it still runs.
  /// Once it returned a result, later calls return the same result at once.
  std::optional<ProcessResult> wait(std::chrono::milliseconds timeout);
  /// Sends `sig` (SIGTERM by default), waits up to `grace`, then SIGKILLs; returns the result.
  ProcessResult stop(int sig = SIGTERM, std::chrono::milliseconds grace = 5s);

 private:
  bool reap(bool block);
  void io_loop(int in_fd, int out_fd, int err_fd, std::string input, bool hold_stdin);
  ProcessResult finish();

  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  std::optional<ProcessResult> result_;
  std::atomic<bool> exited_{false};
  mutable std::mutex mutex_;  // guards out_ and err_
  std::string out_;
  std::string err_;
  std::thread io_;
};

}  // namespace wire::test
