// SPDX-License-Identifier: MIT
// wire::smtp::Server: an ESMTP server (RFC 5321) that receives mail for configured domains
// into a Maildir or a program's handler, what aiosmtpd does for Python: SIZE (RFC 1870),
// PIPELINING (RFC 2920), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), ENHANCEDSTATUSCODES
// (RFC 2034, 3463), STARTTLS (RFC 3207), AUTH PLAIN and LOGIN (RFC 4954).
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

namespace wire::smtp {

/// What one client may do, with defaults a public server can live with.
struct ServerLimits {
  std::uint64_t max_message_size = 32 * 1024 * 1024;  ///< SIZE; larger: 552 5.3.4 (RFC 1870)
  std::size_t max_recipients = 100;                   ///< per message; more: 452 4.5.3 (RFC 5321 §4.5.3.1.8)
  /// A command line with its CRLF. RFC 5321 §4.5.3.1.4 says 512, extensions add to it, and an
  /// AUTH line may be 12288 (RFC 4954 §4). Longer: 500 5.5.2.
  std::size_t max_command_line = 12288;
  std::size_t max_data_line = 1000;                  ///< a message line with its CRLF (§4.5.3.1.6)
  std::size_t max_commands_without_mail = 50;        ///< NOOP, RSET, VRFY... in a row; then 421
  std::size_t max_errors = 10;                       ///< refused commands per connection; then 421
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);   ///< each wait (§4.5.3.2.7)
  std::chrono::milliseconds session_timeout = std::chrono::minutes(30);  ///< a whole connection
  std::size_t max_connections = 1000;                ///< then 421 4.3.2 (64 at a time; then the backlog)
  std::size_t max_connections_per_client = 20;       ///< then 421 4.7.0
};

/// What the server knows about a connection when it asks a handler.
struct Session {
  net::Address peer{};
  std::string helo{};        ///< the name given in EHLO or HELO
  bool tls = false;
  std::string user{};        ///< the authenticated user, or empty
  std::string from{};        ///< MAIL FROM's address ("" for <>)
  std::vector<std::string> recipients{};  ///< the RCPTs accepted so far
  bool smtputf8 = false;
};

/// A handler's answer: accept (2yz) or refuse (4yz: try later, 5yz: never).
///   return Verdict::refuse(550, "5.1.1", "No such user");
struct Verdict {
  int code = 250;
  std::string enhanced_code = "2.0.0";
  std::string text = "OK";
  static Verdict accept() { return {}; }
  static Verdict refuse(int code, std::string enhanced_code, std::string text) {
    return {code, std::move(enhanced_code), std::move(text)};
  }
  bool accepted() const noexcept { return code / 100 == 2; }
};

/// How the server runs. Recipients are refused unless a domain below or on_recipient accepts
/// them: it is no open relay (it relays nothing anyway: mail is only stored).
struct ServerOptions {
  std::string host = "localhost";  ///< "" or "::": every address
  std::uint16_t port = 0;          ///< 0: a free port (local_address())
  unsigned threads = 0;            ///< 0: one per core
  std::string hostname{};            ///< in the greeting and Received (default: gethostname())
  std::optional<tls::Context> tls{}; ///< a server context: STARTTLS is offered
  bool implicit_tls = false;       ///< TLS from the first byte (port 465), no STARTTLS
  std::vector<std::string> domains{};  ///< RCPT to these domains is accepted (case-insensitive)
  std::filesystem::path maildir{};   ///< messages delivered here (tmp/ → fsync → new/), if set
  /// Decides each RCPT instead of `domains`.
  std::function<Verdict(const Session&, std::string_view address)> on_recipient{};
  /// Receives each message whole (the Received and Return-Path fields first) before the
  /// reply, which is its verdict; with a maildir too, the message is stored only if accepted.
  /// Called on a worker thread, several at once.
  std::function<Verdict(const Session&, std::string_view message)> on_message{};
  /// Checks AUTH credentials; AUTH is offered only when set, and only over TLS unless
  /// `auth_in_clear_on_loopback` and the client is on a loopback address.
  std::function<bool(std::string_view user, std::string_view password)> authenticate{};
  bool auth_in_clear_on_loopback = false;
  bool require_auth = false;       ///< MAIL only after AUTH (530 5.7.0)
  /// One line per message and per refused connection, from any worker thread.
  std::function<void(std::string_view line)> log{};
  ServerLimits limits{};
};

/// An SMTP server on io::TcpServer's workers.
///   wire::smtp::Server server({.port = 2525, .domains = {"example.org"}, .maildir = "Maildir"});
///   server.run_until_signal();
class Server {
 public:
  /// @throws std::system_error if the maildir cannot be made; std::invalid_argument for
  ///   options that do not fit (implicit_tls without tls).
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts the workers. @throws std::system_error.
  void start();
  net::Address local_address() const;
  /// Messages accepted (250 after the data) since start.
  std::uint64_t messages_accepted() const noexcept;
  io::ShutdownReport shutdown(std::chrono::milliseconds grace);
  io::ShutdownReport run_until_signal(std::chrono::milliseconds grace = std::chrono::seconds(10));

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::smtp
