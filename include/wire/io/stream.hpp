// SPDX-License-Identifier: MIT
// Stream and Listener: sockets driven by the loop, awaited by coroutines.
#pragma once

#include <sys/uio.h>

#include <cassert>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/io/loop.hpp"
#include "wire/io/task.hpp"
#include "wire/net/address.hpp"
#include "wire/net/socket.hpp"

namespace wire::io {

namespace detail {

/// Blocks SIGPIPE on the calling thread for good (a Runtime worker: wire's own thread), which
/// spares each sendfile() the signal-mask calls that otherwise keep SIGPIPE away from it.
void block_sigpipe_on_this_thread() noexcept;

[[noreturn]] void throw_io_error(std::error_code ec, std::string_view operation, int fd);

// One non-blocking syscall (Op::attempt), tried at once, then again each time
// epoll says the descriptor is ready, until it finishes or the deadline passes.
// Lives in the awaiting coroutine's frame: no allocation. Destroying it (with
// the frame) withdraws the wait and the timer, which is how a cancelled task
// cancels its pending operation.
template <typename Op, bool Write>
class IoAwaiter : IoWaiter {
 public:
  IoAwaiter(IoState* state, Op op, std::optional<Clock::duration> timeout, std::error_code* ec_out,
            const char* name) noexcept
      : state_(state),
        op_(op),
        timeout_(timeout ? *timeout : kNoTimeout),
        ec_out_(ec_out),
        name_(name) {
    ready = &IoAwaiter::on_ready;
    cancel = &IoAwaiter::on_cancel;
  }
  IoAwaiter(const IoAwaiter&) = delete;
  IoAwaiter& operator=(const IoAwaiter&) = delete;
  ~IoAwaiter() { withdraw(); }

  bool await_ready() noexcept {
    if (!state_ || state_->retired) {
      ec_ = std::make_error_code(std::errc::bad_file_descriptor);
      return true;
    }
    // Skip the try when the last one found the socket drained and no event
    // has come since: it would only return EAGAIN.
    if constexpr (requires { op_.must_try(); }) {
      if (!op_.must_try() && !hint()) return false;
    } else if (!hint()) {
      return false;
    }
    return try_once();
  }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    // One reader and one writer at a time per stream: a second would replace the first.
    assert(slot() == nullptr && "two concurrent reads (or writes) on one wire::io stream");
    if constexpr (Write) state_->loop->watch_writes(*state_);
    if (state_->disarmed) state_->loop->rearm(*state_);
    slot() = this;
    registered_ = true;
    if (timeout_ != kNoTimeout) {
      timer_.fire = &IoAwaiter::on_timeout;
      timer_.context = this;
      state_->loop->add_timer(timer_, Clock::now() + timeout_);
    }
  }
  auto await_resume() {
    if (ec_out_) {
      *ec_out_ = ec_;
    } else if (ec_) {
      throw_io_error(ec_, name_, state_ ? state_->fd : -1);
    }
    return result_;
  }

 private:
  IoWaiter*& slot() noexcept { return Write ? state_->writer : state_->reader; }
  bool& hint() noexcept { return Write ? state_->write_hint : state_->read_hint; }
  // One attempt; false means EAGAIN (wait for an event).
  bool try_once() noexcept {
    bool finished = op_.attempt(state_->fd, ec_, result_);
    if (state_->hung_up) return finished;
    if (!finished || state_->level) {
      hint() = false;  // level-triggered: epoll says at once whether there is more
    } else if constexpr (requires { op_.exhausted; }) {
      if (op_.exhausted) hint() = false;
    }
    return finished;
  }
  void withdraw() noexcept {
    if (registered_) {
      if (slot() == this) slot() = nullptr;
      registered_ = false;
    }
    if (timer_.pending()) state_->loop->cancel_timer(timer_);
  }
  static void on_cancel(IoWaiter* w) {
    auto* self = static_cast<IoAwaiter*>(w);
    self->registered_ = false;  // release() already cleared the slot
    self->withdraw();
    self->ec_ = std::make_error_code(std::errc::operation_canceled);
    self->state_ = nullptr;  // the state is being recycled: never look at it again
    self->waiter_.resume();
  }
  static void on_ready(IoWaiter* w) {
    auto* self = static_cast<IoAwaiter*>(w);
    self->registered_ = false;  // the loop took us out of the slot
    if constexpr (requires { self->op_.woken; }) self->op_.woken = true;
    if (!self->try_once()) {
      self->slot() = self;  // woken but still not ready: wait for the next edge
      self->registered_ = true;
      return;
    }
    self->withdraw();
    self->waiter_.resume();
  }
  static void on_timeout(TimerNode* node) {
    auto* self = static_cast<IoAwaiter*>(node->context);
    self->withdraw();
    self->ec_ = std::make_error_code(std::errc::timed_out);
    self->waiter_.resume();
  }

  IoState* state_;
  Op op_;
  static constexpr Clock::duration kNoTimeout = Clock::duration::max();
  Clock::duration timeout_;  // kNoTimeout: none (a plain duration keeps the frame small)
  std::error_code* ec_out_;
  const char* name_;
  std::error_code ec_;
  typename Op::result_type result_{};
  TimerNode timer_;
  std::coroutine_handle<> waiter_;
  bool registered_ = false;
};

struct RecvOp {
  std::span<std::byte> buffer;
  using result_type = std::size_t;
  bool exhausted = false;  // a short read emptied the socket (EOF is not "empty")
  bool attempt(int fd, std::error_code& ec, std::size_t& n) noexcept;
};
struct SendOp {
  std::span<const std::byte> data;
  using result_type = std::size_t;
  bool attempt(int fd, std::error_code& ec, std::size_t& n) noexcept;
};
struct WritevOp {
  std::span<const iovec> buffers;
  using result_type = std::size_t;
  bool attempt(int fd, std::error_code& ec, std::size_t& n) noexcept;
};
struct WaitOp {  // readiness only: for idle connections that hold no buffer
  using result_type = bool;
  bool attempt(int fd, std::error_code& ec, bool& ok) noexcept;
  // Set when epoll reported the socket readable (data, EOF or an error): then a
  // read will not block and no probe is needed. Before waiting, a probe decides.
  bool woken = false;
};
struct SendfileOp {
  int in_fd;
  long long* offset;
  std::size_t count;
  using result_type = std::size_t;
  bool attempt(int fd, std::error_code& ec, std::size_t& n) noexcept;
};
struct AcceptOp {
  net::Accepted* out;
  using result_type = bool;
  bool attempt(int fd, std::error_code& ec, bool& ok) noexcept;
};
struct ConnectOp {
  const net::Address* address;
  bool started = false;
  using result_type = bool;
  bool must_try() const noexcept { return !started; }
  bool attempt(int fd, std::error_code& ec, bool& ok) noexcept;
};

}  // namespace detail

/// A connected socket on the current loop.
///   wire::io::Stream s(std::move(socket));
///   std::size_t n = co_await s.read_some(buffer);     // 0: the peer closed
///   co_await s.write_all(std::as_bytes(std::span(reply)));
/// Every operation has a throwing form and one filling a std::error_code& (for
/// servers, where EOF, resets and timeouts are routine). The read and write
/// timeouts bound each primitive operation. Destroy a Stream on its loop's
/// thread, before the loop.
class Stream {
 public:
  Stream() noexcept = default;
  /// Takes a connected socket, makes it non-blocking and attaches it to Loop::current().
  explicit Stream(net::Socket socket);
  /// The same for a socket known to be non-blocking already (accept4 with
  /// SOCK_NONBLOCK): saves the fcntl calls on every accepted connection, and
  /// the first read waits for epoll's event instead of trying recv() first.
  struct NonBlocking {};
  Stream(net::Socket socket, NonBlocking);
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  ~Stream();

  bool is_open() const noexcept { return state_ != nullptr; }
  int fd() const noexcept { return fd_; }
  net::Address local_address() const;
  /// The connected peer. @throws std::system_error if the connection is gone.
  net::Address peer_address() const;

  /// Bounds each read (or write) operation; std::nullopt waits for ever.
  void set_read_timeout(std::optional<Clock::duration> t) noexcept { read_timeout_ = t; }
  void set_write_timeout(std::optional<Clock::duration> t) noexcept { write_timeout_ = t; }

  auto read_some(std::span<std::byte> buffer) {
    return detail::IoAwaiter<detail::RecvOp, false>(state_, {buffer}, read_timeout_, nullptr, "read");
  }
  auto read_some(std::span<std::byte> buffer, std::error_code& ec) {
    return detail::IoAwaiter<detail::RecvOp, false>(state_, {buffer}, read_timeout_, &ec, "read");
  }
  auto write_some(std::span<const std::byte> data) {
    return detail::IoAwaiter<detail::SendOp, true>(state_, {data}, write_timeout_, nullptr, "write");
  }
  auto write_some(std::span<const std::byte> data, std::error_code& ec) {
    return detail::IoAwaiter<detail::SendOp, true>(state_, {data}, write_timeout_, &ec, "write");
  }
  /// One send() now, never waiting: the bytes the kernel took, 0 with no error when its
  /// buffer is full. For a caller whose writes nearly always finish at once and that awaits
  /// write_all() only for what is left: a long-lived coroutine then keeps no write awaiter in
  /// its frame (wire tcp serve's echo, tools/wire/tcp_answer.cpp).
  std::size_t try_write_some(std::span<const std::byte> data, std::error_code& ec) noexcept;
  /// Waits until data (or EOF) can be read, without a buffer: an idle connection
  /// then costs no read buffer.
  auto wait_readable(std::error_code& ec) {
    return detail::IoAwaiter<detail::WaitOp, false>(state_, {}, read_timeout_, &ec, "read");
  }

  /// Fills the buffer. @throws std::system_error (wire::Errc::unexpected_eof if the peer closes first).
  Task<void> read_exactly(std::span<std::byte> buffer);
  Task<std::size_t> read_exactly(std::span<std::byte> buffer, std::error_code& ec);
  /// Reads up to and including `delimiter`, at most `max` bytes, never past it.
  Task<std::string> read_until(std::string_view delimiter, std::size_t max);
  /// Writes everything.
  Task<void> write_all(std::span<const std::byte> data);
  Task<std::size_t> write_all(std::span<const std::byte> data, std::error_code& ec);
  /// Writes several buffers with writev(2), everything.
  Task<void> write_all(std::span<const iovec> buffers);
  /// The same, with failure in `ec`; returns the bytes written.
  Task<std::size_t> write_all(std::span<const iovec> buffers, std::error_code& ec);
  /// Sends `count` bytes of file `in_fd` from `offset` with sendfile(2).
  Task<void> sendfile(int in_fd, long long offset, std::size_t count);

  void shutdown_write() noexcept;
  /// Whether a read would return at once (data, end of file or an error) —
  /// without reading or waiting. A pooled idle connection for which this is
  /// true was closed by the peer (or got bytes nobody asked for): not reusable.
  bool readable_now() const noexcept;
  /// TCP_NODELAY: small writes go out at once (request/response protocols).
  void set_no_delay(bool on) noexcept;
  /// Detaches from the loop and closes. The destructor does this too.
  void close() noexcept;
  /// Detaches from the loop and gives the socket back (to move it to another loop).
  net::Socket release_socket() noexcept;

 private:
  int fd_ = -1;
  detail::IoState* state_ = nullptr;
  std::optional<Clock::duration> read_timeout_;
  std::optional<Clock::duration> write_timeout_;
};

/// A listening socket on the current loop.
///   wire::io::Listener listener(wire::net::tcp_listen("", 8080));
///   auto [stream, peer] = co_await listener.accept();
class Listener {
 public:
  explicit Listener(net::Socket listening);
  Listener(Listener&& other) noexcept;
  Listener& operator=(Listener&&) = delete;
  ~Listener();

  struct Accepted {
    Stream stream;
    net::Address peer;
  };
  /// Waits for a connection. @throws std::system_error.
  Task<Accepted> accept();
  /// Non-throwing form: on failure `ec` is set and the socket is closed.
  Task<Accepted> accept(std::error_code& ec);
  net::Address local_address() const { return socket_.local_address(); }
  void close() noexcept;

 private:
  net::Socket socket_;
  detail::IoState* state_ = nullptr;
};

/// Connects to `address`, bounded by `timeout`. @throws std::system_error / TimeoutError.
Task<Stream> connect(net::Address address, std::optional<Clock::duration> timeout = std::nullopt);
/// Resolves `host` and tries each address in turn until one connects, all within `timeout`.
Task<Stream> connect(std::string host, std::uint16_t port,
                     Clock::duration timeout = std::chrono::seconds(30));

}  // namespace wire::io
