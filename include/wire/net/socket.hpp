// SPDX-License-Identifier: MIT
// A blocking, RAII socket in the style of Python's socket.socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "wire/net/address.hpp"

namespace wire::net {

enum class SocketType : int { stream = SOCK_STREAM, datagram = SOCK_DGRAM };
enum class Shutdown : int { read = SHUT_RD, write = SHUT_WR, both = SHUT_RDWR };

/// Timeout of a socket, as in Python's settimeout(): std::nullopt blocks forever,
/// zero makes every call non-blocking, a positive value bounds each call.
using Timeout = std::optional<std::chrono::milliseconds>;

class Socket;

/// A datagram and the address it came from (recv_from()).
struct Datagram {
  std::string data;
  Address from;
};

/// A connection accepted by Socket::accept(): `auto [conn, peer] = server.accept();`
struct Accepted;

/// An owned socket descriptor. Move-only; the destructor closes it.
///
///   wire::net::Socket s(wire::net::Family::ipv4, wire::net::SocketType::stream);
///   s.connect(wire::net::Address::parse("127.0.0.1:12345"));
///   s.send_all("Hello, server!");
///   std::string reply = s.recv(1024);
///
/// Every operation comes in two forms: one throws (std::system_error naming the
/// operation and the peer, wire::TimeoutError when the timeout passes), the other
/// takes a std::error_code& and never throws for I/O errors. EINTR is retried, and
/// sends never raise SIGPIPE (MSG_NOSIGNAL). A Socket is not synchronised: share it
/// between threads only with your own locking.
class Socket {
 public:
  /// No descriptor.
  Socket() noexcept = default;
  /// Creates a socket. @throws std::system_error.
  Socket(Family family, SocketType type, int protocol = 0);
  /// Takes ownership of an open descriptor.
  explicit Socket(int fd) noexcept : fd_(fd) {}

  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return is_open(); }
  /// Gives up ownership of the descriptor and returns it.
  int release() noexcept { return std::exchange(fd_, -1); }

  /// Closes the descriptor now (the destructor does it otherwise). Idempotent.
  void close() noexcept;

  // --- connection set-up -------------------------------------------------

  void bind(const Address& address);
  void bind(const Address& address, std::error_code& ec) noexcept;
  void listen(int backlog = 128);
  void listen(int backlog, std::error_code& ec) noexcept;
  /// Waits for a connection (bounded by the timeout). The accepted socket blocks
  /// (no timeout), as in Python.
  Accepted accept();
  Accepted accept(std::error_code& ec);
  /// Connects, bounded by the timeout.
  void connect(const Address& address);
  void connect(const Address& address, std::error_code& ec) noexcept;

  // --- data ------------------------------------------------------------

  /// Sends what the kernel takes now (at least one byte unless the peer is gone).
  std::size_t send(std::span<const std::byte> data);
  std::size_t send(std::span<const std::byte> data, std::error_code& ec) noexcept;
  std::size_t send(std::string_view data) { return send(std::as_bytes(std::span(data))); }
  /// Sends everything; the timeout bounds the whole call.
  void send_all(std::span<const std::byte> data);
  /// Non-throwing form; returns how many bytes went out before an error.
  std::size_t send_all(std::span<const std::byte> data, std::error_code& ec) noexcept;
  void send_all(std::string_view data) { send_all(std::as_bytes(std::span(data))); }

  /// Reads what is available, up to buffer.size(); 0 means the peer closed.
  std::size_t recv(std::span<std::byte> buffer);
  std::size_t recv(std::span<std::byte> buffer, std::error_code& ec) noexcept;
  /// Python's sock.recv(max): up to max bytes; empty means the peer closed.
  std::string recv(std::size_t max);
  /// Fills the buffer completely; the timeout bounds the whole call.
  /// @throws std::system_error with wire::Errc::unexpected_eof if the peer closes first.
  void recv_exactly(std::span<std::byte> buffer);
  std::size_t recv_exactly(std::span<std::byte> buffer, std::error_code& ec) noexcept;
  std::string recv_exactly(std::size_t n);
  /// Reads up to and including `delimiter`, at most `max` bytes in all, and never
  /// reads past the delimiter (later bytes stay in the socket for the next call).
  /// @throws std::system_error with wire::Errc::limit_exceeded past `max`, or
  ///         wire::Errc::unexpected_eof if the peer closes first.
  std::string recv_until(std::string_view delimiter, std::size_t max);
  std::string recv_until(std::string_view delimiter, std::size_t max, std::error_code& ec);

  /// Datagrams.
  std::size_t send_to(std::span<const std::byte> data, const Address& to);
  std::size_t send_to(std::span<const std::byte> data, const Address& to,
                      std::error_code& ec) noexcept;
  std::size_t send_to(std::string_view data, const Address& to) {
    return send_to(std::as_bytes(std::span(data)), to);
  }
  /// Receives one datagram of at most buffer.size() bytes (the rest is cut) and
  /// writes the sender to `from`.
  std::size_t recv_from(std::span<std::byte> buffer, Address& from);
  std::size_t recv_from(std::span<std::byte> buffer, Address& from,
                        std::error_code& ec) noexcept;
  /// Python's sock.recvfrom(max).
  Datagram recv_from(std::size_t max);

  void shutdown(Shutdown how);
  void shutdown(Shutdown how, std::error_code& ec) noexcept;

  // --- addresses -------------------------------------------------------

  Address local_address() const;
  /// The connected peer. @throws std::system_error if not connected.
  Address peer_address() const;

  // --- timeouts and modes ---------------------------------------------

  /// Python's settimeout(): nullopt blocks, 0 is non-blocking, > 0 bounds each call
  /// (and each whole send_all / recv_exactly / recv_until).
  void set_timeout(Timeout timeout);
  Timeout timeout() const noexcept { return timeout_; }
  /// Python's setblocking(): true is set_timeout(nullopt), false is set_timeout(0).
  void set_blocking(bool blocking) { set_timeout(blocking ? Timeout{} : Timeout{std::chrono::milliseconds(0)}); }

  // --- options ---------------------------------------------------------

  void set_reuse_address(bool on);
  void set_reuse_port(bool on);
  void set_no_delay(bool on);
  void set_keep_alive(bool on);
  void set_send_buffer_size(int bytes);
  void set_receive_buffer_size(int bytes);
  /// SO_LINGER: nullopt turns lingering off; 0 s makes close() send a reset.
  void set_linger(std::optional<std::chrono::seconds> linger);
  void set_v6_only(bool on);

  bool reuse_address() const;
  bool reuse_port() const;
  bool no_delay() const;
  bool keep_alive() const;
  int send_buffer_size() const;
  int receive_buffer_size() const;
  std::optional<std::chrono::seconds> linger() const;
  bool v6_only() const;

  /// Raw setsockopt/getsockopt for options wire has no name for.
  void set_option(int level, int name, int value);
  int option(int level, int name) const;

 private:
  std::string describe(std::string_view operation) const;
  std::string describe(std::string_view operation, const Address& address) const;
  // Waits until the descriptor is ready for `events` or the deadline passes.
  bool wait(short events, std::chrono::steady_clock::time_point deadline,
            std::error_code& ec) const noexcept;
  std::chrono::steady_clock::time_point deadline() const noexcept;
  // Runs `call` (one syscall returning ssize_t) until it succeeds, retrying EINTR
  // and, with a timeout, waiting for `events` on EAGAIN; -1 with `ec` set otherwise.
  template <typename Call>
  long retry(short events, std::chrono::steady_clock::time_point until, std::error_code& ec,
             Call&& call) const noexcept;

  int fd_ = -1;
  Timeout timeout_;
  Address peer_;  // remembered at connect/accept for error messages after a reset
};

struct Accepted {
  Socket socket;
  Address peer;
};

/// Two connected Unix stream sockets (socketpair(2)); useful in tests and for
/// talking to a child process.
std::pair<Socket, Socket> socket_pair(SocketType type = SocketType::stream);

}  // namespace wire::net
