// SPDX-License-Identifier: MIT
#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "support/wait.hpp"

extern char** environ;

namespace wire::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::system_category(), what);
}

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) fail("pipe2");
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read >= 0) ::close(std::exchange(read, -1));
  }
  void close_write() {
    if (write >= 0) ::close(std::exchange(write, -1));
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
};

// The child's environment: ours, with `overrides` replacing or adding entries.
std::vector<std::string> make_env(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    std::string key = entry.substr(0, eq);
    bool replaced = false;
    for (const auto& [k, v] : overrides) replaced = replaced || k == key;
    if (!replaced) env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw std::invalid_argument("ChildProcess: empty argv");
  // Everything the child needs is prepared before fork(): after it, in a threaded
  // program, the child may only make async-signal-safe calls.
  std::vector<std::string> args = argv;
  std::vector<std::string> env = make_env(options.env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env);
  std::string cwd = options.cwd.string();
  Pipe in, out, err, exec_error;

  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) fail("fork");
  if (pid_ == 0) {
    // The peer dies with the test however the test ends: ctest kills a test past its
    // timeout with SIGKILL, which runs no destructor. The kernel then sends SIGKILL to the
    // child (PR_SET_PDEATHSIG: when the thread that forked it ends). If the test died before
    // prctl(), the child was already handed to another parent: it goes at once.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || ::getppid() != parent) ::_exit(127);
    // A process group of its own, so that the destructor also ends what the peer started.
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(in.read, 0) < 0 || ::dup2(out.write, 1) < 0 || ::dup2(err.write, 2) < 0 ||
        (!cwd.empty() && ::chdir(cwd.c_str()) < 0)) {
      int e = errno;
      (void)!::write(exec_error.write, &e, sizeof e);
      ::_exit(127);
    }
    ::execvpe(c_args[0], c_args.data(), c_env.data());
    int e = errno;
    (void)!::write(exec_error.write, &e, sizeof e);
    ::_exit(127);
  }

  // Also here: whichever of the two runs first, the group exists before anyone signals it.
  ::setpgid(pid_, pid_);
  // exec_error's write end closes on a successful exec (O_CLOEXEC): EOF means started.
  exec_error.close_write();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_error.read, &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    reap(true);
    errno = child_errno;
    fail("cannot start " + argv[0]);
  }

  in.close_read();
  out.close_write();
  err.close_write();
  int in_fd = std::exchange(in.write, -1);
  int out_fd = std::exchange(out.read, -1);
  int err_fd = std::exchange(err.read, -1);
  io_ = std::thread(&ChildProcess::io_loop, this, in_fd, out_fd, err_fd, options.input,
                    options.hold_stdin);
}

ChildProcess::~ChildProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  exited_ = true;
  if (io_.joinable()) io_.join();
}

// Feeds stdin and drains stdout and stderr until both reach EOF, or until the
// child has been reaped for a while (a grandchild may hold the pipes open).
void ChildProcess::io_loop(int in_fd, int out_fd, int err_fd, std::string input, bool hold_stdin) {
  // A child that exits without reading its input would raise SIGPIPE on our write:
  // block it on this thread only, and consume it if it comes.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

  std::size_t written = 0;
  if (input.empty()) {
    if (!hold_stdin) ::close(std::exchange(in_fd, -1));
  } else {
    // Never block on stdin: the child may be waiting for us to drain its stdout.
    ::fcntl(in_fd, F_SETFL, ::fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  }
  std::optional<Clock::time_point> exited_at;
  char buf[16384];
  while (out_fd >= 0 || err_fd >= 0) {
    if (exited_) {
      if (!exited_at) exited_at = Clock::now();
      if (Clock::now() - *exited_at > 500ms) break;
    }
    // A held stdin with nothing left to write is not polled (it would always be writable).
    int write_fd = written < input.size() ? in_fd : -1;
    pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {write_fd, POLLOUT, 0}};
    int n = ::poll(fds, 3, 20);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out_fd : err_fd;
      if (fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got > 0) {
        std::lock_guard lock(mutex_);
        (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(std::exchange(fd, -1));
      }
    }
    if (write_fd >= 0 && fds[2].revents != 0) {
      ssize_t put = ::write(in_fd, input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      bool failed = put < 0 && errno != EINTR && errno != EAGAIN;
      if (failed || written == input.size()) {
        if (put < 0 && errno == EPIPE) {
          timespec zero{};
          ::sigtimedwait(&pipe_set, nullptr, &zero);
        }
        if (failed) written = input.size();  // nothing more can be written
        if (failed || !hold_stdin) ::close(std::exchange(in_fd, -1));
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd}) {
    if (fd >= 0) ::close(fd);
  }
}

bool ChildProcess::reap(bool block) {
  if (reaped_) return true;
  for (;;) {
    // Seen to exit but not reaped yet (WNOWAIT), its PID, which is also its process group's
    // id, cannot go to another process: what it left running in its group is killed first.
    siginfo_t info{};
    int r = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || info.si_pid != pid_) return false;
    ::kill(-pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    exited_ = true;
    return true;
  }
}

bool ChildProcess::running() { return !reap(false); }

std::string ChildProcess::out() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string ChildProcess::err() const {
  std::lock_guard lock(mutex_);
  return err_;
}

ProcessResult ChildProcess::finish() {
  if (result_) return *result_;
  if (io_.joinable()) io_.join();
  ProcessResult r;
  if (WIFEXITED(status_)) r.exit_code = WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) r.signal = WTERMSIG(status_);
  r.out = out();
  r.err = err();
  result_ = r;
  return r;
}

std::optional<ProcessResult> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (result_) return result_;
  if (!wait_until([&] { return reap(false); }, timeout, 1ms)) return std::nullopt;
  return finish();
}

ProcessResult ChildProcess::stop(int sig, std::chrono::milliseconds grace) {
  if (result_) return *result_;
  if (!reap(false)) {
    ::kill(pid_, sig);
    if (!wait_until([&] { return reap(false); }, grace, 1ms)) {
      ::kill(pid_, SIGKILL);
      reap(true);
    }
  }
  return finish();
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ChildProcess child(argv, options);
  if (auto r = child.wait(options.timeout)) return *r;
  auto r = child.stop(SIGKILL, 0ms);
  r.timed_out = true;
  return r;
}

}  // namespace wire::test
