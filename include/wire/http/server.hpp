// SPDX-License-Identifier: MIT
// wire::http::Server: a multi-core HTTP/1.1 server (plain or TLS) with a router, static
// files and limits that hold against slow and malicious clients.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "wire/http/router.hpp"
#include "wire/http/server_request.hpp"
#include "wire/http/server_response.hpp"
#include "wire/http/static_root.hpp"
#include "wire/io/tcp_server.hpp"
#include "wire/net/address.hpp"
#include "wire/tls/context.hpp"

namespace wire::http {

using namespace std::chrono_literals;

/// What a server accepts, with defaults a public server can live with. Every limit answers
/// with its status and closes the connection (a request it refused is never half-read).
struct ServerLimits {
  std::size_t max_request_line = 8 * 1024;   ///< the request-line: 414 past it
  std::size_t max_header_bytes = 16 * 1024;  ///< the header section: 431 past it
  std::size_t max_header_count = 100;        ///< header fields: 431 past it
  /// A request body read for a handler (Content-Length or chunked, decoded): 413 past it.
  /// A route can set its own (RouteOptions::max_body).
  std::uint64_t max_body = 16 * 1024 * 1024;
  /// The whole head of a request must arrive within this, from its first byte (for the first
  /// request: from the accept): 408 and close past it. Slowloris' defence.
  std::chrono::milliseconds header_timeout = 10s;
  /// A keep-alive connection with no request under way closes after this.
  std::chrono::milliseconds keep_alive_timeout = 30s;
  /// A body must keep arriving at this rate on average (bytes/s), after `body_grace`: 408 and
  /// close when it falls behind. 0: no minimum rate.
  std::size_t min_body_rate = 1024;
  std::chrono::milliseconds body_grace = 10s;
  /// A write that makes no progress for this long closes the connection.
  std::chrono::milliseconds write_timeout = 30s;
  /// Connections open at once; past it, new clients wait in the kernel's backlog.
  std::size_t max_connections = 10'000;
  /// Connections open at once from one client address: past it, 503 and close.
  std::size_t max_connections_per_client = 1'000;
  /// A body the handler did not read is read and dropped up to this many bytes, so that the
  /// connection can carry the next request; a larger one closes the connection instead.
  std::uint64_t max_drain = 64 * 1024;
};

/// The server's settings.
struct ServerOptions {
  std::string host = "";        ///< "" or "::": every address, IPv6 and IPv4
  std::uint16_t port = 0;       ///< 0: a free port (see local_address())
  unsigned threads = 0;         ///< workers; 0: one per core
  int backlog = 1024;
  ServerLimits limits = {};
  /// Serve HTTPS with this context (a server context with a certificate); ALPN offers
  /// http/1.1.
  std::optional<tls::Context> tls = {};
  /// Called with one Common Log Format line per response (without the newline), from the
  /// workers' threads; none by default. access_log_to() writes them to a FILE.
  std::function<void(std::string_view line)> access_log = {};
  /// The Server header; empty: none.
  std::string server_header = "wire";
};

/// An access_log callback writing each line to `file` (stdout, stderr, an opened log), whole.
std::function<void(std::string_view)> access_log_to(std::FILE* file);

/// The server: ServerOptions::threads workers, each accepting on its own SO_REUSEPORT
/// listener and running its connections as coroutines on its own loop.
///   Router router;
///   router.get("/", [](ServerRequest&) { return ServerResponse::text("Hello, World!\n"); });
///   Server server({.port = 8080}, std::move(router));
///   server.run_until_signal();   // SIGINT/SIGTERM: finish what is in flight, then return
class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();  // shutdown(0s) if running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts the workers. @throws std::system_error if the address cannot be bound.
  void start();
  net::Address local_address() const;
  /// "http://127.0.0.1:8080/" (or https), with the bound port; a wildcard host shows as
  /// 127.0.0.1 (or [::1]).
  std::string url() const;
  /// Connections open now.
  std::size_t connections() const noexcept;
  /// Stops accepting, closes idle keep-alive connections, lets requests in flight finish
  /// (their responses say Connection: close) for up to `grace`, then closes what is left.
  io::ShutdownReport shutdown(std::chrono::milliseconds grace = 10s);
  /// start(), wait for SIGINT or SIGTERM, shutdown(grace).
  io::ShutdownReport run_until_signal(std::chrono::milliseconds grace = 10s);

  struct Impl;  // src/http/server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::http
