// SPDX-License-Identifier: MIT
// TCP, UDP and Unix-domain conveniences over Socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "wire/net/address.hpp"
#include "wire/net/socket.hpp"

namespace wire::net {

using namespace std::chrono_literals;

/// How tcp_connect() races its candidate addresses (RFC 8305, Happy Eyeballs v2).
struct ConnectOptions {
  /// Bounds the whole connect, every attempt included; it also becomes the
  /// returned socket's timeout, as with Python's socket.create_connection().
  std::chrono::milliseconds timeout = 30s;
  /// RFC 8305 §5 "Connection Attempt Delay": the next address is tried when the
  /// previous attempt fails or after this long, whichever comes first.
  std::chrono::milliseconds attempt_delay = 250ms;
};

/// Connects to `host`, trying every address it resolves to with Happy Eyeballs:
/// IPv6 and IPv4 interleaved, a new attempt every 250 ms while earlier ones are
/// still pending, the first to succeed wins and the rest are closed. A dead route
/// to one family therefore costs 250 ms, not the whole timeout.
///   auto sock = wire::net::tcp_connect("localhost", 12345);
/// @throws std::system_error ("connect to localhost:12345: Connection refused"),
///         wire::TimeoutError when `timeout` passes first.
Socket tcp_connect(std::string_view host, std::uint16_t port,
                   std::chrono::milliseconds timeout = 30s);
/// The same race over addresses already resolved (in preference order).
Socket tcp_connect(std::span<const Address> addresses, const ConnectOptions& options = {});
Socket tcp_connect(std::span<const Address> addresses, const ConnectOptions& options,
                   std::error_code& ec);

/// A listening TCP socket with SO_REUSEADDR. An empty host or "::" listens on every
/// address, IPv6 and IPv4 alike (dual-stack; IPv4-only if the host has no IPv6).
/// A host name listens on its first IPv4 address if it has one (as Python's
/// create_server does), else its first address. Port 0 picks a free port:
/// read it back with local_address().
///   auto server = wire::net::tcp_listen("localhost", 12345);
/// @throws std::system_error ("bind to 127.0.0.1:12345: Address already in use").
/// With `reuse_port`, SO_REUSEPORT is set before bind, so several sockets (one per
/// worker thread) can listen on one port and the kernel spreads connections.
Socket tcp_listen(std::string_view host, std::uint16_t port, int backlog = 128,
                  bool reuse_port = false);

/// A UDP socket bound to host:port (port 0: any free port), chosen as tcp_listen() does.
Socket udp_bind(std::string_view host, std::uint16_t port);

/// A Unix stream socket connected to `path` ('@name' for an abstract socket).
Socket unix_connect(std::string_view path, SocketType type = SocketType::stream);
/// A Unix stream socket listening on `path`. A stale socket file left by a dead
/// server is not removed: remove it yourself if you know it is yours.
Socket unix_listen(std::string_view path, int backlog = 128);
/// A Unix datagram socket bound to `path`.
Socket unix_bind(std::string_view path, SocketType type = SocketType::datagram);

}  // namespace wire::net
