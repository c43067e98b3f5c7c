// SPDX-License-Identifier: MIT
#include "wire/net/socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "wire/error.hpp"
#include "wire/net/detail/delimiter.hpp"

namespace wire::net {
namespace {

using Clock = std::chrono::steady_clock;

std::error_code last_error() noexcept { return {errno, std::system_category()}; }

bool would_block(int err) noexcept { return err == EAGAIN || err == EWOULDBLOCK; }

void set_nonblocking(int fd, bool on, std::error_code& ec) noexcept {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) {
    ec = last_error();
    return;
  }
  int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd, F_SETFL, wanted) < 0) ec = last_error();
}

}  // namespace

Socket::Socket(Family family, SocketType type, int protocol) {
  fd_ = ::socket(static_cast<int>(family), static_cast<int>(type) | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) throw_error(last_error(), "socket");
}

Socket::Socket(Socket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), timeout_(other.timeout_), peer_(other.peer_) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    timeout_ = other.timeout_;
    peer_ = other.peer_;
  }
  return *this;
}

Socket::~Socket() { close(); }

void Socket::close() noexcept {
  // Not retried on EINTR: Linux has released the descriptor whatever close() returns.
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

// --- error messages --------------------------------------------------------

std::string Socket::describe(std::string_view operation) const {
  std::string out(operation);
  Address peer = peer_;
  if (peer.empty() && fd_ >= 0) {
    Address a;
    socklen_t len = Address::capacity();
    if (::getpeername(fd_, a.data(), &len) == 0) {
      a.set_size(len);
      peer = a;
    }
  }
  if (!peer.empty()) {
    bool outgoing = operation.starts_with("send") || operation.starts_with("connect");
    out += outgoing ? " to " : " from ";
    out += peer.to_string();
  }
  return out;
}

std::string Socket::describe(std::string_view operation, const Address& address) const {
  std::string out(operation);
  out += (operation == "bind" || operation.starts_with("connect") || operation.starts_with("send"))
             ? " to "
             : " ";
  out += address.to_string();
  return out;
}

// --- timeouts --------------------------------------------------------------

void Socket::set_timeout(Timeout timeout) {
  if (timeout && timeout->count() < 0) timeout = std::chrono::milliseconds(0);
  std::error_code ec;
  // Like CPython: with any timeout the descriptor is non-blocking and we poll().
  set_nonblocking(fd_, timeout.has_value(), ec);
  if (ec) throw_error(ec, "set_timeout");
  timeout_ = timeout;
}

Clock::time_point Socket::deadline() const noexcept {
  auto now = Clock::now();
  // Saturate: a timeout of centuries must not overflow into the past.
  if (!timeout_ || *timeout_ >= std::chrono::duration_cast<std::chrono::milliseconds>(
                                    Clock::time_point::max() - now)) {
    return Clock::time_point::max();
  }
  return now + *timeout_;
}

bool Socket::wait(short events, Clock::time_point deadline, std::error_code& ec) const noexcept {
  // No timeout: the descriptor is blocking, so the call itself waits.
  if (!timeout_) return true;
  // Non-blocking mode (timeout 0): report EAGAIN as Python's BlockingIOError does.
  if (timeout_->count() == 0) {
    ec = std::make_error_code(std::errc::resource_unavailable_try_again);
    return false;
  }
  for (;;) {
    auto now = Clock::now();
    if (now >= deadline) {
      ec = std::make_error_code(std::errc::timed_out);
      return false;
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    pollfd p{fd_, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (n > 0) return true;  // ready, or an error the next call will report
    if (n < 0 && errno != EINTR) {
      ec = last_error();
      return false;
    }
  }
}

template <typename Call>
long Socket::retry(short events, Clock::time_point until, std::error_code& ec,
                   Call&& call) const noexcept {
  for (;;) {
    ssize_t n = call();
    if (n >= 0) return n;
    int err = errno;
    if (err == EINTR) continue;
    if (would_block(err) && timeout_) {
      if (!wait(events, until, ec)) return -1;
      continue;
    }
    ec = {err, std::system_category()};
    return -1;
  }
}

// --- set-up ----------------------------------------------------------------

void Socket::bind(const Address& address, std::error_code& ec) noexcept {
  ec.clear();
  if (::bind(fd_, address.data(), address.size()) < 0) ec = last_error();
}

void Socket::bind(const Address& address) {
  std::error_code ec;
  bind(address, ec);
  if (ec) throw_error(ec, describe("bind", address));
}

void Socket::listen(int backlog, std::error_code& ec) noexcept {
  ec.clear();
  if (::listen(fd_, backlog) < 0) ec = last_error();
}

void Socket::listen(int backlog) {
  std::error_code ec;
  listen(backlog, ec);
  if (ec) throw_error(ec, "listen on " + local_address().to_string());
}

Accepted Socket::accept(std::error_code& ec) {
  ec.clear();
  auto until = deadline();
  for (;;) {
    Address peer;
    socklen_t len = Address::capacity();
    int fd = ::accept4(fd_, peer.data(), &len, SOCK_CLOEXEC);
    if (fd >= 0) {
      peer.set_size(len);
      Accepted out{Socket(fd), peer};
      out.socket.peer_ = peer;
      return out;
    }
    int err = errno;
    if (err == EINTR || err == ECONNABORTED) continue;
    if (would_block(err) && timeout_) {
      if (!wait(POLLIN, until, ec)) return {};
      continue;
    }
    ec = {err, std::system_category()};
    return {};
  }
}

Accepted Socket::accept() {
  std::error_code ec;
  auto accepted = accept(ec);
  if (ec) throw_error(ec, "accept on " + local_address().to_string());
  return accepted;
}

void Socket::connect(const Address& address, std::error_code& ec) noexcept {
  ec.clear();
  peer_ = address;
  struct ForgetOnFailure {  // a peer that was never connected is not the peer
    Socket& socket;
    const std::error_code& ec;
    ~ForgetOnFailure() {
      if (ec && ec != std::errc::operation_in_progress) socket.peer_ = Address();
    }
  } forget{*this, ec};
  int rc;
  do {
    rc = ::connect(fd_, address.data(), address.size());
  } while (rc < 0 && errno == EINTR && !timeout_);
  if (rc == 0) return;
  int err = errno;
  // A blocking connect interrupted by a signal goes on in the kernel (EINTR above
  // is only retried for blocking sockets, where a second connect reports EALREADY).
  if (err == EALREADY || err == EINPROGRESS || err == EINTR) {
    if (timeout_ && timeout_->count() == 0) {
      ec = {EINPROGRESS, std::system_category()};
      return;
    }
    auto until = deadline();
    if (!timeout_) {
      // Blocking socket interrupted mid-connect: wait for the outcome without limit.
      pollfd p{fd_, POLLOUT, 0};
      while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
      }
    } else if (!wait(POLLOUT, until, ec)) {
      return;
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0) {
      ec = last_error();
    } else if (so_error != 0) {
      ec = {so_error, std::system_category()};
    }
    return;
  }
  ec = {err, std::system_category()};
}

void Socket::connect(const Address& address) {
  std::error_code ec;
  connect(address, ec);
  if (ec) throw_error(ec, describe("connect", address));
}

// --- data ------------------------------------------------------------------

std::size_t Socket::send(std::span<const std::byte> data, std::error_code& ec) noexcept {
  ec.clear();
  long n = retry(POLLOUT, deadline(), ec,
                 [&] { return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL); });
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::size_t Socket::send(std::span<const std::byte> data) {
  std::error_code ec;
  auto n = send(data, ec);
  if (ec) throw_error(ec, describe("send"));
  return n;
}

std::size_t Socket::send_all(std::span<const std::byte> data, std::error_code& ec) noexcept {
  ec.clear();
  auto until = deadline();
  std::size_t sent = 0;
  while (sent < data.size()) {
    long n = retry(POLLOUT, until, ec, [&] {
      return ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    });
    if (n < 0) return sent;
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

void Socket::send_all(std::span<const std::byte> data) {
  std::error_code ec;
  auto sent = send_all(data, ec);
  if (ec) {
    throw_error(ec, describe("send") + " (" + std::to_string(sent) + " of " +
                        std::to_string(data.size()) + " bytes sent)");
  }
}

std::size_t Socket::recv(std::span<std::byte> buffer, std::error_code& ec) noexcept {
  ec.clear();
  long n = retry(POLLIN, deadline(), ec,
                 [&] { return ::recv(fd_, buffer.data(), buffer.size(), 0); });
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::size_t Socket::recv(std::span<std::byte> buffer) {
  std::error_code ec;
  auto n = recv(buffer, ec);
  if (ec) throw_error(ec, describe("recv"));
  return n;
}

std::string Socket::recv(std::size_t max) {
  std::string out(max, '\0');
  out.resize(recv(std::as_writable_bytes(std::span(out))));
  return out;
}

std::size_t Socket::recv_exactly(std::span<std::byte> buffer, std::error_code& ec) noexcept {
  ec.clear();
  auto until = deadline();
  std::size_t got = 0;
  while (got < buffer.size()) {
    long n = retry(POLLIN, until, ec, [&] {
      return ::recv(fd_, buffer.data() + got, buffer.size() - got, 0);
    });
    if (n < 0) return got;
    if (n == 0) {
      ec = Errc::unexpected_eof;
      return got;
    }
    got += static_cast<std::size_t>(n);
  }
  return got;
}

void Socket::recv_exactly(std::span<std::byte> buffer) {
  std::error_code ec;
  auto got = recv_exactly(buffer, ec);
  if (ec) {
    throw_error(ec, describe("recv") + " (" + std::to_string(got) + " of " +
                        std::to_string(buffer.size()) + " bytes received)");
  }
}

std::string Socket::recv_exactly(std::size_t n) {
  std::string out(n, '\0');
  recv_exactly(std::as_writable_bytes(std::span(out)));
  return out;
}

std::string Socket::recv_until(std::string_view delimiter, std::size_t max, std::error_code& ec) {
  ec.clear();
  std::string out;
  if (delimiter.empty()) return out;
  auto until = deadline();
  std::string peek;
  while (true) {
    if (out.size() >= max) {
      ec = Errc::limit_exceeded;
      return out;
    }
    // Peek at what is queued, then consume exactly up to the delimiter's end, so
    // bytes after it stay in the socket for whoever reads next (e.g. a TLS
    // handshake after a STARTTLS reply).
    peek.resize(std::min<std::size_t>(max - out.size(), 64 * 1024));
    long n = retry(POLLIN, until, ec,
                   [&] { return ::recv(fd_, peek.data(), peek.size(), MSG_PEEK); });
    if (n < 0) return out;
    if (n == 0) {
      ec = Errc::unexpected_eof;
      return out;
    }
    peek.resize(static_cast<std::size_t>(n));
    // The delimiter may straddle what we already hold and what is queued.
    auto [take, found] = detail::take_through_delimiter(out, peek, delimiter);
    std::size_t old = out.size();
    out.resize(old + take);
    std::size_t got = 0;
    while (got < take) {  // the bytes are queued, so this does not block
      ssize_t m = ::recv(fd_, out.data() + old + got, take - got, 0);
      if (m > 0) {
        got += static_cast<std::size_t>(m);
      } else if (m < 0 && errno == EINTR) {
        continue;
      } else {
        ec = m == 0 ? std::error_code(Errc::unexpected_eof) : last_error();
        out.resize(old + got);
        return out;
      }
    }
    if (found) return out;
  }
}

std::string Socket::recv_until(std::string_view delimiter, std::size_t max) {
  std::error_code ec;
  auto out = recv_until(delimiter, max, ec);
  if (ec == Errc::limit_exceeded) {
    throw std::system_error(ec, describe("recv") + ": no '" + std::string(delimiter) +
                                    "' within " + std::to_string(max) + " bytes");
  }
  if (ec) throw_error(ec, describe("recv"));
  return out;
}

std::size_t Socket::send_to(std::span<const std::byte> data, const Address& to,
                            std::error_code& ec) noexcept {
  ec.clear();
  long n = retry(POLLOUT, deadline(), ec, [&] {
    return ::sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, to.data(), to.size());
  });
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::size_t Socket::send_to(std::span<const std::byte> data, const Address& to) {
  std::error_code ec;
  auto n = send_to(data, to, ec);
  if (ec) throw_error(ec, describe("sendto", to));
  return n;
}

std::size_t Socket::recv_from(std::span<std::byte> buffer, Address& from,
                              std::error_code& ec) noexcept {
  ec.clear();
  socklen_t len = 0;
  long n = retry(POLLIN, deadline(), ec, [&] {
    len = Address::capacity();
    return ::recvfrom(fd_, buffer.data(), buffer.size(), 0, from.data(), &len);
  });
  if (n < 0) return 0;
  from.set_size(len);
  return static_cast<std::size_t>(n);
}

std::size_t Socket::recv_from(std::span<std::byte> buffer, Address& from) {
  std::error_code ec;
  auto n = recv_from(buffer, from, ec);
  if (ec) throw_error(ec, "recvfrom on " + local_address().to_string());
  return n;
}

Datagram Socket::recv_from(std::size_t max) {
  Datagram d;
  d.data.resize(max);
  d.data.resize(recv_from(std::as_writable_bytes(std::span(d.data)), d.from));
  return d;
}

void Socket::shutdown(Shutdown how, std::error_code& ec) noexcept {
  ec.clear();
  if (::shutdown(fd_, static_cast<int>(how)) < 0) ec = last_error();
}

void Socket::shutdown(Shutdown how) {
  std::error_code ec;
  shutdown(how, ec);
  if (ec) throw_error(ec, describe("shutdown"));
}

// --- addresses -------------------------------------------------------------

Address Socket::local_address() const {
  Address a;
  socklen_t len = Address::capacity();
  if (::getsockname(fd_, a.data(), &len) < 0) throw_error(last_error(), "getsockname");
  a.set_size(len);
  return a;
}

Address Socket::peer_address() const {
  if (!peer_.empty()) return peer_;  // known since connect/accept, and still known after a reset
  Address a;
  socklen_t len = Address::capacity();
  if (::getpeername(fd_, a.data(), &len) < 0) throw_error(last_error(), "getpeername");
  a.set_size(len);
  return a;
}

// --- options ---------------------------------------------------------------

void Socket::set_option(int level, int name, int value) {
  if (::setsockopt(fd_, level, name, &value, sizeof value) < 0) {
    throw_error(last_error(), "setsockopt(" + std::to_string(level) + ", " +
                                  std::to_string(name) + ")");
  }
}

int Socket::option(int level, int name) const {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd_, level, name, &value, &len) < 0) {
    throw_error(last_error(), "getsockopt(" + std::to_string(level) + ", " +
                                  std::to_string(name) + ")");
  }
  return value;
}

void Socket::set_reuse_address(bool on) { set_option(SOL_SOCKET, SO_REUSEADDR, on); }
void Socket::set_reuse_port(bool on) { set_option(SOL_SOCKET, SO_REUSEPORT, on); }
void Socket::set_no_delay(bool on) { set_option(IPPROTO_TCP, TCP_NODELAY, on); }
void Socket::set_keep_alive(bool on) { set_option(SOL_SOCKET, SO_KEEPALIVE, on); }
void Socket::set_send_buffer_size(int bytes) { set_option(SOL_SOCKET, SO_SNDBUF, bytes); }
void Socket::set_receive_buffer_size(int bytes) { set_option(SOL_SOCKET, SO_RCVBUF, bytes); }
void Socket::set_v6_only(bool on) { set_option(IPPROTO_IPV6, IPV6_V6ONLY, on); }

void Socket::set_linger(std::optional<std::chrono::seconds> linger) {
  ::linger value{linger.has_value() ? 1 : 0, linger ? static_cast<int>(linger->count()) : 0};
  if (::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &value, sizeof value) < 0) {
    throw_error(last_error(), "setsockopt(SO_LINGER)");
  }
}

bool Socket::reuse_address() const { return option(SOL_SOCKET, SO_REUSEADDR) != 0; }
bool Socket::reuse_port() const { return option(SOL_SOCKET, SO_REUSEPORT) != 0; }
bool Socket::no_delay() const { return option(IPPROTO_TCP, TCP_NODELAY) != 0; }
bool Socket::keep_alive() const { return option(SOL_SOCKET, SO_KEEPALIVE) != 0; }
int Socket::send_buffer_size() const { return option(SOL_SOCKET, SO_SNDBUF); }
int Socket::receive_buffer_size() const { return option(SOL_SOCKET, SO_RCVBUF); }
bool Socket::v6_only() const { return option(IPPROTO_IPV6, IPV6_V6ONLY) != 0; }

std::optional<std::chrono::seconds> Socket::linger() const {
  ::linger value{};
  socklen_t len = sizeof value;
  if (::getsockopt(fd_, SOL_SOCKET, SO_LINGER, &value, &len) < 0) {
    throw_error(last_error(), "getsockopt(SO_LINGER)");
  }
  if (!value.l_onoff) return std::nullopt;
  return std::chrono::seconds(value.l_linger);
}

std::pair<Socket, Socket> socket_pair(SocketType type) {
  int fds[2];
  if (::socketpair(AF_UNIX, static_cast<int>(type) | SOCK_CLOEXEC, 0, fds) < 0) {
    throw_error(last_error(), "socketpair");
  }
  return {Socket(fds[0]), Socket(fds[1])};
}

}  // namespace wire::net
