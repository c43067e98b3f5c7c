// SPDX-License-Identifier: MIT
// Loopback socket helpers for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/net/address.hpp"
#include "wire/net/socket.hpp"

namespace wire::test {

using namespace std::chrono_literals;

/// Both ends of one TCP connection over loopback, and the listener it came from.
struct TcpPair {
  wire::net::Socket listener;
  wire::net::Socket client;  ///< the connecting end
  wire::net::Socket server;  ///< the accepted end
};

/// Listens on `host` ("127.0.0.1" or "::1") port 0, connects a client, accepts it.
/// The client and server get `timeout` (std::nullopt: they block, as accepted sockets
/// do). A generous timeout turns a library bug that would hang a test into a failure.
/// @throws std::system_error.
TcpPair tcp_pair(std::string_view host = "127.0.0.1", wire::net::Timeout timeout = std::nullopt);

/// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close).
/// Racy by nature: only for peers that must be told their port on the command line.
std::uint16_t free_tcp_port();

/// Waits until something accepts TCP connections on `address` (connecting and closing
/// at once, every few milliseconds), at most `timeout`. Returns whether it did.
///   ASSERT_TRUE(wire::test::wait_for_listener(wire::net::Address::parse("127.0.0.1:8025"), 10s));
bool wait_for_listener(const wire::net::Address& address, std::chrono::milliseconds timeout = 10s);

/// Waits until a TCP socket of this network namespace listens on `port` (any
/// address, IPv4 or IPv6), reading /proc/net/tcp{,6} every few milliseconds, at most
/// `timeout`. Unlike wait_for_listener() it never connects: for peers that count
/// or answer every connection (openssl s_server -naccept N).
bool wait_for_listening_port(std::uint16_t port, std::chrono::milliseconds timeout = 10s);

/// A listener whose accept queue is full (backlog 0, one connection queued and never
/// accepted): on Linux further connects to `address` hang (their SYNs are dropped),
/// which is how tests get a connect that times out without leaving loopback.
struct HangingListener {
  wire::net::Socket listener;
  std::vector<wire::net::Socket> queued;  ///< the connections filling the queue
  wire::net::Address address;             ///< connect here to hang
};

/// Fills a listener on `host` ("127.0.0.1" or "::1") until a probe connect times out
/// (bounded: at most 8 probes of 300 ms). @throws std::runtime_error if it never does.
HangingListener hanging_listener(std::string_view host = "127.0.0.1");

/// A port bound on `host` but not listening, so connects to it are refused at once;
/// the port stays reserved while the object lives.
struct RefusingPort {
  wire::net::Socket reserved;
  wire::net::Address address;  ///< connect here to be refused
};

/// Reserves a refusing port on `host` ("127.0.0.1" or "::1").
RefusingPort refusing_port(std::string_view host = "127.0.0.1");

/// How many received bytes wait in the socket's queue, unread (ioctl FIONREAD).
/// With wait_until() it tells when a reader on another thread has consumed its input.
std::size_t bytes_queued(const wire::net::Socket& socket);

/// The loopback hosts IP tests run over: {"127.0.0.1", "::1"}.
std::vector<std::string> loopback_hosts();

/// A name for a loopback host usable in GoogleTest parameter names: "ipv4" or "ipv6".
std::string loopback_name(std::string_view host);

/// Raises RLIMIT_NOFILE's soft limit to at least `want` (up to the hard limit), for tests
/// that hold thousands of connections; returns the new soft limit.
std::size_t raise_fd_limit(std::size_t want);

}  // namespace wire::test
