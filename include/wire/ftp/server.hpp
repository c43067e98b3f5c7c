// SPDX-License-Identifier: MIT
// wire::ftp::Server: an FTP and FTPS server over a jailed directory (RFC 959, 2228, 2389,
// 2428, 3659, 4217), on io::TcpServer's workers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/io/tcp_server.hpp"
#include "wire/net/address.hpp"
#include "wire/tls/context.hpp"

namespace wire::ftp {

using namespace std::chrono_literals;

/// An account: a name, its password, and whether it may change files.
///   ServerOptions{.users = {{"alice", "secret"}}}
struct User {
  std::string name;
  std::string password;
  bool write = true;
};

/// The ports passive data connections listen on, both included; {0, 0}: any free port.
struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
};

/// What a server allows, with defaults a public server can live with.
struct ServerLimits {
  /// Control connections at once, over all workers; one more is answered 421 and closed, as
  /// vsftpd's max_clients does (64 such answers at a time; past that, accepting pauses).
  std::size_t max_connections = 1'000;
  /// Control connections at once from one address; more are answered 421 and closed.
  std::size_t max_connections_per_client = 20;
  /// A control connection silent this long between commands is closed.
  std::chrono::milliseconds idle_timeout = 300s;
  /// Bounds the wait for a data connection, each read and write on one, and each TLS handshake.
  std::chrono::milliseconds data_timeout = 60s;
  /// Failed logins one control connection may make; the last one closes it (421).
  unsigned max_login_failures = 3;
  /// The pause before the answer to a failed login, doubled at each further failure on the
  /// connection (1 s, 2 s, 4 s, ...) up to max_login_delay: password guessing gets slow.
  std::chrono::milliseconds login_failure_delay = 1s;
  std::chrono::milliseconds max_login_delay = 30s;
  /// One command line with its CRLF.
  std::size_t max_command_line = 8 * 1024;
};

/// The pause after the `failures`-th failed login on a connection (1, 2, ...): the base delay
/// doubled for each failure after the first, at most limits.max_login_delay.
///   failed_login_delay({.login_failure_delay = 100ms}, 3) == 400ms
std::chrono::milliseconds failed_login_delay(const ServerLimits& limits, unsigned failures) noexcept;

/// A server's settings.
///   ServerOptions{.port = 2121, .root = "/srv/ftp", .anonymous = true}
struct ServerOptions {
  std::string host = "";   ///< "" or "::": every address, IPv6 and IPv4
  std::uint16_t port = 0;  ///< 0: a free port (see local_address())
  unsigned threads = 0;    ///< workers; 0: one per core
  /// The directory served: nothing outside it can be reached (io::FileRoot: no "..", no link
  /// leading out, no devices or FIFOs).
  std::filesystem::path root{};
  std::vector<User> users{};
  /// Anonymous logins ("anonymous" or "ftp", any password), read-only.
  bool anonymous = false;
  /// A server context: explicit FTPS (AUTH TLS, RFC 4217) is offered.
  std::optional<tls::Context> tls{};
  /// Refuse logins before AUTH TLS and data connections without PROT P.
  bool require_tls = false;
  PortRange passive_ports{};
  /// The address a 227 reply names; default: the control connection's local address. For a
  /// server behind NAT (EPSV names no address and needs none).
  std::string passive_address{};
  ServerLimits limits{};
  /// Called with a line for each login, refusal and transfer, from the workers' threads; none
  /// by default (wire ftp serve prints them).
  std::function<void(std::string_view line)> log{};
};

/// The server: ServerOptions::threads workers, each accepting on its own SO_REUSEPORT listener,
/// a coroutine per control connection. Data connections go only to and come only from the
/// control connection's peer address (no FTP bounce, no theft of a passive port); uploads are
/// written under a temporary name and renamed when complete; plain downloads go out with
/// sendfile(2).
///   wire::ftp::Server server({.port = 2121, .root = "/srv/ftp", .anonymous = true});
///   server.start();
///   std::cout << server.url() << "\n";
///   server.run_until_signal();
class Server {
 public:
  /// @throws std::system_error if the root cannot be opened; std::invalid_argument for options
  /// that do not fit together (require_tls without tls, no users and no anonymous).
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts the workers. @throws std::system_error if the address cannot be bound.
  void start();
  net::Address local_address() const;
  /// "ftp://127.0.0.1:2121/" with the bound port (a wildcard host shows as 127.0.0.1).
  std::string url() const;
  std::size_t connections() const noexcept;
  /// Stops accepting, closes idle control connections, lets transfers finish for `grace`.
  io::ShutdownReport shutdown(std::chrono::milliseconds grace = 10s);
  /// start(), then wait for SIGINT or SIGTERM, then shutdown(grace).
  io::ShutdownReport run_until_signal(std::chrono::milliseconds grace = 10s);

  struct Impl;  // src/ftp/server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::ftp
