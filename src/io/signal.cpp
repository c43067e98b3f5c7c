// SPDX-License-Identifier: MIT
#include "wire/io/signal.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "wire/io/stream.hpp"

namespace wire::io {
namespace detail {
namespace {

struct SignalReadOp {
  using result_type = int;
  bool attempt(int fd, std::error_code& ec, int& signal) noexcept {
    signalfd_siginfo info{};
    for (;;) {
      ssize_t n = ::read(fd, &info, sizeof info);
      if (n == static_cast<ssize_t>(sizeof info)) {
        signal = static_cast<int>(info.ssi_signo);
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      ec = n < 0 ? std::error_code(errno, std::system_category())
                 : std::make_error_code(std::errc::io_error);
      return true;
    }
  }
};

}  // namespace
}  // namespace detail

SignalSet::SignalSet(std::initializer_list<int> signals) {
  sigemptyset(&set_);
  for (int s : signals) sigaddset(&set_, s);
  // Blocked, so the signals queue on the signalfd instead of running handlers.
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &set_, &previous_); rc != 0) {
    throw std::system_error(rc, std::system_category(), "pthread_sigmask");
  }
  fd_ = ::signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) {
    int err = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    throw std::system_error(err, std::system_category(), "signalfd");
  }
}

SignalSet::~SignalSet() {
  ::close(fd_);
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

Task<int> SignalSet::wait() {
  struct Attached {
    Loop* loop;
    detail::IoState* state;
    ~Attached() { loop->release(state); }
  } attached{&Loop::current(), Loop::current().attach(fd_)};
  co_return co_await detail::IoAwaiter<detail::SignalReadOp, false>(attached.state, {}, std::nullopt,
                                                                   nullptr, "signal");
}

}  // namespace wire::io
