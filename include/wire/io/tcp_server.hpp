// SPDX-License-Identifier: MIT
// TcpServer: a multi-core TCP server running a coroutine per connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/net/address.hpp"

namespace wire::io {

using namespace std::chrono_literals;

/// Limits a TcpServer enforces, with defaults a public server can live with.
struct ServerLimits {
  /// Connections open at once, over all workers; past it, accepting pauses
  /// (new clients wait in the kernel's backlog) unless busy_replies says otherwise.
  std::size_t max_connections = 10'000;
  /// Connections over max_connections that are accepted only to be told "busy" by the
  /// on_busy() handler (FTP's and SMTP's 421), at most this many at a time; past that,
  /// accepting pauses. 0: none; new clients wait in the backlog, as nginx's do.
  std::size_t busy_replies = 0;
  /// A read that waits longer than this fails with timed_out: idle connections close.
  std::optional<Clock::duration> idle_timeout = 60s;
  /// A write that cannot make progress for this long fails with timed_out: a
  /// client that stops reading cannot hold the server's buffers for ever.
  std::optional<Clock::duration> write_timeout = 30s;
  /// Connections open at once from one client address (IPv4 and its IPv4-mapped IPv6 form
  /// count as one); past it, the connection goes to the on_refused() handler instead (by
  /// default: closed at once). 0: no limit.
  std::size_t max_connections_per_client = 0;
};

/// How connections reach the workers.
enum class AcceptMode {
  reuse_port,    ///< a SO_REUSEPORT listener per worker; the kernel spreads connections by hash
  one_acceptor,  ///< one listener on worker 0, handing each connection to the least loaded worker
};

struct ServerOptions {
  /// Loopback unless told otherwise: "localhost" (127.0.0.1); "" or "::" for every address,
  /// IPv6 and IPv4 (what a server reachable from other machines needs), or one address.
  std::string host = "localhost";
  std::uint16_t port = 0;      ///< 0: a free port (see local_address())
  unsigned threads = 0;        ///< workers; 0: one per core
  int backlog = 1024;
  AcceptMode accept_mode = AcceptMode::reuse_port;
  ServerLimits limits;
};

/// What a graceful shutdown did.
struct ShutdownReport {
  std::size_t finished = 0;  ///< handlers that ended within the grace period
  std::size_t cut = 0;       ///< connections closed when it ran out
};

/// Runs `handler(stream, peer)` for every connection, on N workers that each
/// listen on the same port with SO_REUSEPORT (the kernel spreads connections).
///   wire::io::TcpServer server({.port = 7}, [](wire::io::Stream& s, const wire::net::Address&)
///       -> wire::io::Task<void> { ... echo ... });
///   server.start();  ...  server.shutdown(5s);
/// The stream comes with the idle and write timeouts of `limits`. An exception
/// escaping a handler closes its connection and is not fatal.
class TcpServer {
 public:
  using Handler = std::function<Task<void>(Stream&, const net::Address&)>;

  TcpServer(ServerOptions options, Handler handler);
  ~TcpServer();  // shutdown(0s) if still running
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  /// Runs `hook` on each worker's thread when shutdown() begins, once that worker
  /// has stopped accepting: a protocol server closes its idle connections there,
  /// so that only work in flight holds the grace period. Set it before start().
  void on_drain(std::function<void()> hook);
  /// Runs `handler` instead of the handler for a connection over
  /// ServerLimits::max_connections_per_client: a protocol says "busy" its own way (HTTP 503,
  /// FTP and SMTP 421) before the connection closes. Set it before start().
  void on_refused(Handler handler);
  /// Runs `handler` for a connection over ServerLimits::max_connections, when
  /// ServerLimits::busy_replies lets it in: a protocol says "busy, try later" (FTP and SMTP
  /// 421) and the connection closes. Without it such connections close at once. Set it before
  /// start().
  void on_busy(Handler handler);
  /// Binds every worker's listener and starts the workers.
  /// @throws std::system_error if the address cannot be bound.
  void start();
  /// The bound address (the real port when options.port was 0).
  net::Address local_address() const;
  /// "scheme://host:port/" as a client on this machine reaches the server: the options' host,
  /// a wildcard as the loopback address ("" and 0.0.0.0 as 127.0.0.1, :: as [::1]), an IPv6
  /// literal in brackets, and the bound port. Every protocol server's url() is this.
  std::string url(std::string_view scheme) const;
  /// Connections open now, over all workers.
  std::size_t connections() const noexcept;
  /// Stops accepting, lets handlers finish for up to `grace`, closes the rest,
  /// stops the workers and reports. Idempotent; thread-safe.
  ShutdownReport shutdown(Clock::duration grace);
  /// start(), then wait for SIGINT or SIGTERM, then shutdown(grace).
  ShutdownReport run_until_signal(Clock::duration grace = 10s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::io
