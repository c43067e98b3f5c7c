// SPDX-License-Identifier: MIT
#include "wire/io/stream.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <climits>
#include <string>

#include "wire/error.hpp"
#include "wire/net/detail/delimiter.hpp"
#include "wire/net/resolver.hpp"

namespace wire::io {
namespace detail {
namespace {

bool again(int err) noexcept { return err == EAGAIN || err == EWOULDBLOCK; }

#ifdef IOV_MAX
constexpr std::size_t kIovMax = IOV_MAX;
#else
constexpr std::size_t kIovMax = 1024;  // Linux's UIO_MAXIOV
#endif

// Finishes an attempt with errno: false (wait) on EAGAIN, true otherwise.
bool finish_with_errno(std::error_code& ec) noexcept {
  int err = errno;
  if (again(err)) return false;
  ec = {err, std::system_category()};
  return true;
}

}  // namespace

void throw_io_error(std::error_code ec, std::string_view operation, int fd) {
  std::string what(operation);
  net::Address peer;
  socklen_t len = net::Address::capacity();
  if (fd >= 0 && ::getpeername(fd, peer.data(), &len) == 0) {
    peer.set_size(len);
    what += (operation == "read" || operation == "accept") ? " from " : " to ";
    what += peer.to_string();
  }
  throw_error(ec, what);
}

bool RecvOp::attempt(int fd, std::error_code& ec, std::size_t& n) noexcept {
  for (;;) {
    ssize_t r = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (r >= 0) {
      n = static_cast<std::size_t>(r);
      exhausted = r > 0 && n < buffer.size();
      return true;
    }
    if (errno == EINTR) continue;
    return finish_with_errno(ec);
  }
}

bool SendOp::attempt(int fd, std::error_code& ec, std::size_t& n) noexcept {
  for (;;) {
    ssize_t r = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (r >= 0) {
      n = static_cast<std::size_t>(r);
      return true;
    }
    if (errno == EINTR) continue;
    return finish_with_errno(ec);
  }
}

bool WritevOp::attempt(int fd, std::error_code& ec, std::size_t& n) noexcept {
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(buffers.data());
  // One call takes at most IOV_MAX buffers (EMSGSIZE beyond); write_all() loops.
  msg.msg_iovlen = std::min<std::size_t>(buffers.size(), kIovMax);
  for (;;) {
    ssize_t r = ::sendmsg(fd, &msg, MSG_NOSIGNAL);  // writev without SIGPIPE
    if (r >= 0) {
      n = static_cast<std::size_t>(r);
      return true;
    }
    if (errno == EINTR) continue;
    return finish_with_errno(ec);
  }
}

bool WaitOp::attempt(int fd, std::error_code& ec, bool& ok) noexcept {
  if (woken) {
    ok = true;
    return true;
  }
  std::byte probe;
  for (;;) {
    ssize_t r = ::recv(fd, &probe, 1, MSG_PEEK);
    if (r >= 0) {
      ok = true;  // data, or EOF: either way a read will not block
      return true;
    }
    if (errno == EINTR) continue;
    return finish_with_errno(ec);
  }
}

namespace {

// sendfile(2) has no MSG_NOSIGNAL: to a reset or closed peer it raises SIGPIPE,
// which kills the process by default. Keep SIGPIPE blocked on this thread
// around the call and take back the one it raised (unless one was already
// pending, which is then left for its owner). On a thread that blocks SIGPIPE
// for good (block_sigpipe_on_this_thread) that costs nothing but taking back a
// raised one: three system calls fewer per sendfile.
thread_local bool sigpipe_blocked_for_good = false;

class SigpipeGuard {
 public:
  SigpipeGuard() noexcept {
    ::sigemptyset(&pipe_);
    ::sigaddset(&pipe_, SIGPIPE);
    if (sigpipe_blocked_for_good) return;
    sigset_t pending;
    ::sigemptyset(&pending);
    ::sigpending(&pending);
    was_pending_ = ::sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeGuard() {
    int saved = errno;
    if (raised_ && !was_pending_) {
      timespec zero{};
      while (::sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    if (!sigpipe_blocked_for_good && ::sigismember(&previous_, SIGPIPE) != 1) {
      ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    errno = saved;
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  void raised() noexcept { raised_ = true; }

 private:
  sigset_t pipe_{};
  sigset_t previous_{};
  bool was_pending_ = false;
  bool raised_ = false;
};

}  // namespace

void block_sigpipe_on_this_thread() noexcept {
  sigset_t pipe;
  ::sigemptyset(&pipe);
  ::sigaddset(&pipe, SIGPIPE);
  if (::pthread_sigmask(SIG_BLOCK, &pipe, nullptr) == 0) sigpipe_blocked_for_good = true;
}

bool SendfileOp::attempt(int fd, std::error_code& ec, std::size_t& n) noexcept {
  SigpipeGuard guard;
  for (;;) {
    off_t off = static_cast<off_t>(*offset);
    ssize_t r = ::sendfile(fd, in_fd, &off, count);
    if (r >= 0) {
      *offset = off;
      n = static_cast<std::size_t>(r);
      return true;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE) guard.raised();
    return finish_with_errno(ec);
  }
}

bool AcceptOp::attempt(int fd, std::error_code& ec, bool& ok) noexcept {
  for (;;) {
    net::Address peer;
    socklen_t len = net::Address::capacity();
    int c = ::accept4(fd, peer.data(), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c >= 0) {
      peer.set_size(len);
      out->socket = net::Socket(c);
      out->peer = peer;
      ok = true;
      return true;
    }
    // A connection reset while queued is not the listener's failure.
    if (errno == EINTR || errno == ECONNABORTED) continue;
    return finish_with_errno(ec);
  }
}

bool ConnectOp::attempt(int fd, std::error_code& ec, bool& ok) noexcept {
  if (!started) {
    started = true;
    if (::connect(fd, address->data(), address->size()) == 0) return true;
    if (errno == EINPROGRESS || errno == EINTR) return false;
    ec = {errno, std::system_category()};
    return true;
  }
  int so_error = 0;
  socklen_t len = sizeof so_error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0) so_error = errno;
  if (so_error != 0) ec = {so_error, std::system_category()};
  ok = so_error == 0;
  return true;
}

}  // namespace detail

namespace {

void make_nonblocking(const net::Socket& s) {
  int flags = ::fcntl(s.fd(), F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK)) return;
  if (flags < 0 || ::fcntl(s.fd(), F_SETFL, flags | O_NONBLOCK) < 0) {
    throw std::system_error(errno, std::system_category(), "fcntl(O_NONBLOCK)");
  }
}

net::Socket nonblocking(net::Socket s) {
  make_nonblocking(s);
  return s;
}

}  // namespace

// --- Stream ------------------------------------------------------------------

Stream::Stream(net::Socket socket) : Stream(nonblocking(std::move(socket)), NonBlocking{}) {}

Stream::Stream(net::Socket socket, NonBlocking) {
  state_ = Loop::current().attach(socket.fd());
  // epoll reports at registration whatever is already readable, so the first read need not
  // be tried before the event: a fresh connection's first recv() would only say EAGAIN.
  state_->read_hint = false;
  fd_ = socket.release();  // only the descriptor is kept: an idle connection stays small
}

Stream::Stream(Stream&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      state_(std::exchange(other.state_, nullptr)),
      read_timeout_(other.read_timeout_),
      write_timeout_(other.write_timeout_) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    state_ = std::exchange(other.state_, nullptr);
    read_timeout_ = other.read_timeout_;
    write_timeout_ = other.write_timeout_;
  }
  return *this;
}

Stream::~Stream() { close(); }

void Stream::close() noexcept {
  // Empty *this first and touch it no more: release() resumes the operations
  // still waiting on the stream, and one of them may own (and destroy) it.
  auto* state = std::exchange(state_, nullptr);
  net::Socket socket(std::exchange(fd_, -1));
  if (state) state->loop->release(state, true);
  // `socket` closes the descriptor here, which takes it out of epoll.
}

net::Socket Stream::release_socket() noexcept {
  auto* state = std::exchange(state_, nullptr);
  net::Socket socket(std::exchange(fd_, -1));
  if (state) state->loop->release(state);
  return socket;
}

std::size_t Stream::try_write_some(std::span<const std::byte> data, std::error_code& ec) noexcept {
  ec.clear();
  if (!state_ || state_->retired) {
    ec = std::make_error_code(std::errc::bad_file_descriptor);
    return 0;
  }
  // The same rule as an awaited write's first try (detail::IoAwaiter): a write that had to
  // wait, with no EPOLLOUT since, would only find the buffer full again.
  if (!state_->write_hint && !state_->hung_up) return 0;
  std::size_t n = 0;
  if (!detail::SendOp{data}.attempt(fd_, ec, n)) {
    if (!state_->hung_up) state_->write_hint = false;
    return 0;
  }
  return n;
}

bool Stream::readable_now() const noexcept {
  if (fd_ < 0) return true;
  std::byte probe;
  ssize_t n;
  do {
    n = ::recv(fd_, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

void Stream::set_no_delay(bool on) noexcept {
  int value = on ? 1 : 0;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value);
}

void Stream::shutdown_write() noexcept { ::shutdown(fd_, SHUT_WR); }

namespace {

net::Address socket_name(int fd, int (*get)(int, sockaddr*, socklen_t*), const char* what) {
  net::Address a;
  socklen_t len = net::Address::capacity();
  if (get(fd, a.data(), &len) < 0) throw std::system_error(errno, std::system_category(), what);
  a.set_size(len);
  return a;
}

}  // namespace

net::Address Stream::local_address() const { return socket_name(fd_, ::getsockname, "getsockname"); }

net::Address Stream::peer_address() const { return socket_name(fd_, ::getpeername, "getpeername"); }

Task<std::size_t> Stream::read_exactly(std::span<std::byte> buffer, std::error_code& ec) {
  std::size_t got = 0;
  ec.clear();
  while (got < buffer.size()) {
    std::size_t n = co_await read_some(buffer.subspan(got), ec);
    if (ec) co_return got;
    if (n == 0) {
      ec = Errc::unexpected_eof;
      co_return got;
    }
    got += n;
  }
  co_return got;
}

Task<void> Stream::read_exactly(std::span<std::byte> buffer) {
  std::error_code ec;
  std::size_t got = co_await read_exactly(buffer, ec);
  if (ec) {
    detail::throw_io_error(ec, "read (" + std::to_string(got) + " of " +
                                   std::to_string(buffer.size()) + " bytes)", fd());
  }
}

Task<std::string> Stream::read_until(std::string_view delimiter, std::size_t max) {
  // Byte-at-a-time would be slow; instead peek and then consume exactly, as
  // wire::net::Socket::recv_until does, so nothing after the delimiter is taken.
  std::string out;
  std::string peek;
  for (;;) {
    if (out.size() >= max) {
      throw std::system_error(make_error_code(Errc::limit_exceeded),
                              "read: no '" + std::string(delimiter) + "' within " +
                                  std::to_string(max) + " bytes");
    }
    std::error_code ec;
    co_await wait_readable(ec);
    if (ec) detail::throw_io_error(ec, "read", fd());
    peek.resize(std::min<std::size_t>(max - out.size(), 64 * 1024));
    ssize_t n;
    do {
      n = ::recv(fd(), peek.data(), peek.size(), MSG_PEEK);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) continue;
      detail::throw_io_error({errno, std::system_category()}, "read", fd());
    }
    if (n == 0) detail::throw_io_error(make_error_code(Errc::unexpected_eof), "read", fd());
    peek.resize(static_cast<std::size_t>(n));
    auto [take, found] = net::detail::take_through_delimiter(out, peek, delimiter);
    std::size_t old = out.size();
    out.resize(old + take);
    co_await read_exactly(std::as_writable_bytes(std::span(out)).subspan(old, take));
    if (found) co_return out;
  }
}

Task<std::size_t> Stream::write_all(std::span<const std::byte> data, std::error_code& ec) {
  std::size_t sent = 0;
  ec.clear();
  while (sent < data.size()) {
    std::size_t n = co_await write_some(data.subspan(sent), ec);
    if (ec) co_return sent;
    sent += n;
  }
  co_return sent;
}

Task<void> Stream::write_all(std::span<const std::byte> data) {
  std::error_code ec;
  std::size_t sent = co_await write_all(data, ec);
  if (ec) {
    detail::throw_io_error(ec, "write (" + std::to_string(sent) + " of " +
                                   std::to_string(data.size()) + " bytes)", fd());
  }
}

Task<std::size_t> Stream::write_all(std::span<const iovec> buffers, std::error_code& ec) {
  // The buffers are trimmed as they go out: a copy, on the frame for a few (a response's head
  // and body), on the heap for more.
  constexpr std::size_t kFew = 8;
  iovec few[kFew];
  std::vector<iovec> many;
  std::span<iovec> rest;
  if (buffers.size() <= kFew) {
    std::copy(buffers.begin(), buffers.end(), few);
    rest = std::span<iovec>(few, buffers.size());
  } else {
    many.assign(buffers.begin(), buffers.end());
    rest = many;
  }
  ec.clear();
  std::size_t sent = 0;
  std::size_t first = 0;
  while (first < rest.size()) {
    if (rest[first].iov_len == 0) {
      ++first;
      continue;
    }
    std::size_t n = co_await detail::IoAwaiter<detail::WritevOp, true>(
        state_, {std::span<const iovec>(rest).subspan(first)}, write_timeout_, &ec, "write");
    if (ec) co_return sent;
    sent += n;
    // Skip what went out; trim the buffer it stopped in.
    while (first < rest.size() && n >= rest[first].iov_len) n -= rest[first++].iov_len;
    if (first < rest.size()) {
      rest[first].iov_base = static_cast<char*>(rest[first].iov_base) + n;
      rest[first].iov_len -= n;
    }
  }
  co_return sent;
}

Task<void> Stream::write_all(std::span<const iovec> buffers) {
  std::error_code ec;
  std::size_t sent = co_await write_all(buffers, ec);
  if (ec) detail::throw_io_error(ec, "write (" + std::to_string(sent) + " bytes sent)", fd());
}

namespace {

// What a sendfile() longer than this lets wait unsent in the socket (TCP_NOTSENT_LOWAT).
constexpr int kSendfileUnsentMax = 128 * 1024;

}  // namespace

Task<void> Stream::sendfile(int in_fd, long long offset, std::size_t count) {
  // sendfile(2) queues references to the file's pages, not copies, so one call takes as much
  // as the send buffer holds (autotuned up to tcp_wmem's 4 MiB): a 1 MiB response at once.
  // What exceeds the peer's window then waits in the socket and goes out from the processing
  // of the peer's ACKs; over loopback that runs on the reader's CPU, whose receive window
  // stayed at ~200 KiB (against 5-8 MiB when the sender queued less), with a tail loss probe
  // every six responses: wrk spent ~2x the CPU per 1 MiB response it spends on h2o's, while
  // this thread sat idle (docs/benchmarks.md, "Static files"). With TCP_NOTSENT_LOWAT
  // the call queues at most this much beyond what is sent, and the socket is writable again
  // once half of it went out: the rest is queued from here, as the window opens. It stays
  // set for the connection; a shorter file costs no system call for it.
  if (count > static_cast<std::size_t>(kSendfileUnsentMax)) {
    int lowat = kSendfileUnsentMax;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);  // not TCP: no-op
  }
  while (count > 0) {
    std::size_t n = co_await detail::IoAwaiter<detail::SendfileOp, true>(
        state_, {in_fd, &offset, count}, write_timeout_, nullptr, "sendfile");
    if (n == 0) {
      throw std::system_error(make_error_code(Errc::unexpected_eof), "sendfile: file ended early");
    }
    count -= n;
  }
}

// --- Listener ----------------------------------------------------------------

Listener::Listener(net::Socket listening) : socket_(std::move(listening)) {
  make_nonblocking(socket_);
  state_ = Loop::current().attach(socket_.fd(), true);
}

Listener::Listener(Listener&& other) noexcept
    : socket_(std::move(other.socket_)), state_(std::exchange(other.state_, nullptr)) {}

Listener::~Listener() { close(); }

void Listener::close() noexcept {
  // As Stream::close(): a cancelled accept may destroy this Listener.
  auto* state = std::exchange(state_, nullptr);
  net::Socket socket = std::move(socket_);
  if (state) state->loop->release(state);
}

Task<Listener::Accepted> Listener::accept(std::error_code& ec) {
  net::Accepted raw;
  co_await detail::IoAwaiter<detail::AcceptOp, false>(state_, {&raw}, std::nullopt, &ec, "accept");
  if (ec) co_return Accepted{};
  co_return Accepted{Stream(std::move(raw.socket), Stream::NonBlocking{}), raw.peer};
}

Task<Listener::Accepted> Listener::accept() {
  std::error_code ec;
  auto accepted = co_await accept(ec);
  if (ec) {
    // The listener may have been closed (that is how a pending accept is
    // cancelled): then there is no local address to name.
    std::string what = "accept";
    if (socket_.is_open()) {
      try {
        what += " on " + socket_.local_address().to_string();
      } catch (const std::system_error&) {
      }
    }
    throw_error(ec, what);
  }
  co_return accepted;
}

// --- connect -------------------------------------------------------------------

Task<Stream> connect(net::Address address, std::optional<Clock::duration> timeout) {
  net::Socket socket(address.family(), net::SocketType::stream);
  make_nonblocking(socket);
  // Released however this ends, cancellation (frame destroyed) included.
  struct Attached {
    Loop* loop;
    detail::IoState* state;
    ~Attached() { loop->release(state); }
  } attached{&Loop::current(), Loop::current().attach(socket.fd())};
  std::error_code ec;
  co_await detail::IoAwaiter<detail::ConnectOp, true>(attached.state, {&address}, timeout, &ec,
                                                      "connect");
  if (ec) throw_error(ec, "connect to " + address.to_string());
  attached.loop->release(std::exchange(attached.state, nullptr));
  co_return Stream(std::move(socket));
}

Task<Stream> connect(std::string host, std::uint16_t port, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  // getaddrinfo blocks this loop's thread; an asynchronous resolver comes later.
  auto addresses = net::resolve(host, port);
  std::error_code last;
  for (const auto& address : addresses) {
    auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) {
      last = std::make_error_code(std::errc::timed_out);
      break;
    }
    try {
      co_return co_await connect(address, left);
    } catch (const std::system_error& e) {
      last = e.code();
    }
  }
  throw_error(last, "connect to " + host + ":" + std::to_string(port));
}

}  // namespace wire::io
