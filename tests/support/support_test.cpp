// SPDX-License-Identifier: MIT
// Tests of the test helpers themselves: a broken helper would make other tests lie.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <csignal>
#include <filesystem>
#include <optional>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "support/certs.hpp"
#include "support/net.hpp"
#include "support/process.hpp"
#include "support/random.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using wire::test::run_process;

TEST(TempDir, CreatesAndRemovesDirectory) {
  std::filesystem::path kept;
  {
    wire::test::TempDir dir;
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    auto file = dir.write_file("a.txt", "hello");
    EXPECT_EQ(file, dir / "a.txt");
    std::ifstream in(file);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "hello");
    std::filesystem::create_directories(dir / "sub/deeper");
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(TempDir, TwoDirectoriesDiffer) {
  wire::test::TempDir a, b;
  EXPECT_NE(a.path(), b.path());
}

TEST(WaitUntil, ReturnsTrueWhenConditionBecomesTrue) {
  std::atomic<int> calls{0};
  EXPECT_TRUE(wire::test::wait_until([&] { return ++calls >= 3; }, 5s, 1ms));
  EXPECT_EQ(calls.load(), 3);
}

TEST(WaitUntil, ReturnsFalseAfterDeadline) {
  auto start = Clock::now();
  EXPECT_FALSE(wire::test::wait_until([] { return false; }, 50ms));
  auto took = Clock::now() - start;
  EXPECT_GE(took, 50ms);
  EXPECT_LT(took, 5s);
}

TEST(Background, JoinRethrowsTheThreadsException) {
  wire::test::Background task([] { throw std::runtime_error("boom"); });
  EXPECT_THROW(
      {
        try {
          task.join();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "boom");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_NO_THROW(task.join());  // the exception is reported once
}

TEST(Background, RunsOnAnotherThread) {
  auto main_id = std::this_thread::get_id();
  std::thread::id seen;
  wire::test::Background task([&] { seen = std::this_thread::get_id(); });
  task.join();
  EXPECT_NE(seen, main_id);
  EXPECT_NE(seen, std::thread::id());
}

TEST(RandomBytes, IsReproducibleAndSeedDependent) {
  auto a = wire::test::random_bytes(1001);
  auto b = wire::test::random_bytes(1001);
  auto c = wire::test::random_bytes(1001, 7);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // The first bytes of splitmix64(seed 0x5eed), little-endian (computed independently
  // in Python): a change in the generator would silently change every test's data.
  const std::array<unsigned char, 8> first{0xb4, 0xa9, 0xf0, 0x03, 0x9d, 0xfd, 0xf1, 0x09};
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(a[i], std::byte{first[i]}) << i;
  auto s = wire::test::random_string(1001);
  ASSERT_EQ(s.size(), 1001u);
  EXPECT_EQ(std::memcmp(s.data(), a.data(), a.size()), 0);
  std::size_t zeros = 0;
  for (auto x : a) zeros += x == std::byte{0};
  EXPECT_LT(zeros, 20u);  // ~4 expected for 1001 random bytes
}

TEST(RunProcess, CapturesExitCodeStdoutAndStderr) {
  auto r = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RunProcess, FeedsStdin) {
  std::string big = wire::test::random_string(300000);  // more than a pipe holds
  auto r = run_process({"cat"}, {.input = big});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out == big) << "got " << r.out.size() << " bytes";
}

TEST(RunProcess, ChildIgnoringStdinDoesNotKillUsWithSigpipe) {
  std::string big(1 << 20, 'x');
  auto r = run_process({"/bin/sh", "-c", "exec 0<&-; echo done"}, {.input = big});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "done\n");
}

TEST(RunProcess, KillsChildAfterTimeout) {
  auto start = Clock::now();
  auto r = run_process({"sleep", "30"}, {.timeout = 200ms});
  auto took = Clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_LT(took, 10s);
}

TEST(RunProcess, EnvironmentAndWorkingDirectory) {
  wire::test::TempDir dir;
  auto r = run_process({"/bin/sh", "-c", "echo \"$WIRE_TEST_VAR\"; pwd"},
                       {.cwd = dir.path(), .env = {{"WIRE_TEST_VAR", "v=1"}}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "v=1\n" + std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(RunProcess, MissingProgramThrows) {
  try {
    run_process({"/nonexistent/wire-no-such-program"});
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/wire-no-such-program"), std::string::npos);
  }
}

TEST(ChildProcess, StopTerminatesARunningChild) {
  wire::test::ChildProcess child({"/bin/sh", "-c", "echo ready; exec sleep 30"});
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(wire::test::wait_until([&] { return child.out() == "ready\n"; }, 10s));
  EXPECT_TRUE(child.running());
  EXPECT_FALSE(child.wait(10ms).has_value());
  auto r = child.stop();
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_FALSE(child.running());
  EXPECT_EQ(r.out, "ready\n");
}

TEST(ChildProcess, HoldStdinKeepsTheChildsInputOpen) {
  // cat ends at EOF on stdin: held, it keeps running after echoing its input.
  wire::test::ProcessOptions options;
  options.input = "abc";
  options.hold_stdin = true;
  wire::test::ChildProcess held({"cat"}, options);
  ASSERT_TRUE(wire::test::wait_until([&] { return held.out() == "abc"; }, 10s));
  EXPECT_TRUE(held.running());
  auto r = held.stop();
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(r.out, "abc");

  options.hold_stdin = false;
  wire::test::ChildProcess closed({"cat"}, options);
  auto done = closed.wait(10s);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_EQ(done->out, "abc");

  wire::test::ProcessOptions empty;
  empty.hold_stdin = true;
  wire::test::ChildProcess idle({"cat"}, empty);
  EXPECT_FALSE(idle.wait(50ms).has_value());  // no EOF: cat still waits for input
  EXPECT_EQ(idle.stop().signal, SIGTERM);
}

// Test hygiene: every peer a test starts dies with the test, even when the test is killed
// with SIGKILL (what ctest does past a test's timeout), which runs no destructor.
namespace hygiene {

// This process becomes the reaper of orphans below it, so an orphaned peer is reparented
// here (not to init) and its end can be awaited and checked exactly.
void become_subreaper() { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0) << std::strerror(errno); }

// Waits (bounded) for `pid`, a descendant reparented here, to end; its wait status, or
// nothing after killing it if it outlived `timeout`.
std::optional<int> reap_orphan(pid_t pid, std::chrono::milliseconds timeout) {
  int status = 0;
  if (wire::test::wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout)) return status;
  ::kill(pid, SIGKILL);  // ours: started by this test, reparented here
  ::waitpid(pid, &status, 0);
  return std::nullopt;
}

pid_t first_line_pid(const wire::test::ChildProcess& p) {
  std::string out = p.out();
  return static_cast<pid_t>(std::stol(out.substr(0, out.find('\n'))));
}

}  // namespace hygiene

TEST(ChildProcess, PeerDiesWhenTheTestIsKilled) {
  hygiene::become_subreaper();
  // peer_parent plays the test: it starts `sleep 120` as a ChildProcess and prints its PID.
  wire::test::ChildProcess test_like({WIRE_TEST_PEER_PARENT, "/bin/sleep", "120"});
  ASSERT_TRUE(wire::test::wait_until([&] { return test_like.out().find('\n') != std::string::npos; }, 10s))
      << test_like.err();
  pid_t peer = hygiene::first_line_pid(test_like);
  ASSERT_EQ(::kill(peer, 0), 0) << "the peer is not running";
  ASSERT_EQ(::kill(test_like.pid(), SIGKILL), 0);
  auto killed = test_like.wait(10s);
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(killed->signal, SIGKILL);
  auto status = hygiene::reap_orphan(peer, 10s);
  ASSERT_TRUE(status.has_value()) << "the peer outlived the test that started it";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL) << *status;
}

TEST(ChildProcess, WhatAPeerLeftRunningEndsWithIt) {
  hygiene::become_subreaper();
  // A shell that starts a grandchild in the background and then exits: the grandchild is in
  // the shell's process group, which is killed as the shell is reaped.
  wire::test::ChildProcess shell({"/bin/sh", "-c", "/bin/sleep 120 & echo $!; read line"},
                                 wire::test::ProcessOptions{.hold_stdin = true});
  ASSERT_TRUE(wire::test::wait_until([&] { return shell.out().find('\n') != std::string::npos; }, 10s));
  pid_t grandchild = hygiene::first_line_pid(shell);
  EXPECT_EQ(shell.stop(SIGTERM).signal, SIGTERM);
  auto status = hygiene::reap_orphan(grandchild, 10s);
  ASSERT_TRUE(status.has_value()) << "the grandchild outlived its ChildProcess";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL) << *status;
}

TEST(Net, TcpPairIsConnected) {
  auto p = wire::test::tcp_pair();
  EXPECT_EQ(p.client.peer_address(), p.listener.local_address());
  p.client.send_all("ping");
  EXPECT_EQ(p.server.recv_exactly(4), "ping");
}

TEST(Net, WaitForListener) {
  auto server = wire::net::tcp_listen("127.0.0.1", 0);
  EXPECT_TRUE(wire::test::wait_for_listener(server.local_address(), 5s));
  auto port = server.local_address().port();
  server.close();
  EXPECT_FALSE(wire::test::wait_for_listener(wire::net::Address::ip("127.0.0.1", port), 50ms));
}

TEST(Net, WaitForListeningPortNeverConnects) {
  auto server = wire::net::tcp_listen("127.0.0.1", 0);
  server.set_timeout(0ms);
  EXPECT_TRUE(wire::test::wait_for_listening_port(server.local_address().port(), 5s));
  std::error_code ec;
  server.accept(ec);  // nothing connected: the accept queue is empty
  EXPECT_EQ(ec, std::errc::resource_unavailable_try_again);
  auto bound = wire::test::refusing_port();  // bound, not listening
  EXPECT_FALSE(wire::test::wait_for_listening_port(bound.address.port(), 50ms));
}

TEST(TestPki, WritesEveryIdentityAsPemFiles) {
  wire::test::TestPki pki;
  for (const char* name : {"ca", "leaf", "localhost_only", "expired", "wrong_host", "other", "client",
                           "self_signed", "rogue_ca", "rogue_leaf", "rogue_client"}) {
    std::ifstream cert(pki.cert_file(name)), key(pki.key_file(name));
    std::string first_cert, first_key;
    std::getline(cert, first_cert);
    std::getline(key, first_key);
    EXPECT_EQ(first_cert, "-----BEGIN CERTIFICATE-----") << name;
    EXPECT_EQ(first_key, "-----BEGIN PRIVATE KEY-----") << name;
  }
  EXPECT_EQ(pki.ca_file(), pki.dir() / "ca.pem");
  EXPECT_NE(pki.leaf.certificate_pem, pki.other.certificate_pem);
}

}  // namespace
