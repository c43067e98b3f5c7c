// SPDX-License-Identifier: MIT
// wire::http::AsyncConnection and Connection: one HTTP/1.1 connection to one
// origin, like Python's http.client.HTTPConnection / HTTPSConnection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "wire/http/headers.hpp"
#include "wire/http/message.hpp"
#include "wire/http/parser.hpp"
#include "wire/io/task.hpp"
#include "wire/tls/any_stream.hpp"
#include "wire/tls/context.hpp"

namespace wire::io {
class Loop;
}

namespace wire::http {

/// What a connection reports as it goes (ConnectionOptions::trace), for logs and
/// `wire http -v`: one call per fact, with its text.
enum class TraceEvent {
  connected,     ///< the TCP connection is up: "127.0.0.1:8080" (the address connected to)
  tls,           ///< one fact of the TLS handshake: "TLSv1.3, TLS_AES_128_GCM_SHA256", ...
  request_head,  ///< a request head, exactly as sent (CRLF line ends, the empty line included)
};

/// How a connection connects and how long it waits.
struct ConnectionOptions {
  /// For https: the context (default: a client context with the system's CAs,
  /// verifying; ALPN "http/1.1" is offered either way).
  std::optional<tls::Context> tls;
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(30);
  /// Bounds each read and each write; a server silent for longer ends the request.
  std::chrono::milliseconds io_timeout = std::chrono::seconds(60);
  /// Limits on what the server may send in a response head.
  ParserLimits limits;
  /// An HTTP proxy, "http://[user:password@]host:port": https goes through a
  /// CONNECT tunnel (TLS end to end, verified against the origin), http as
  /// absolute-form requests to the proxy.
  std::string proxy;
  /// Addresses to connect to instead of resolving a name, by "host:port" (curl's --resolve):
  /// {{"example.com:443", "127.0.0.1"}}. The name still goes in Host, SNI and the
  /// certificate check. It applies to whatever is connected to: the origin, or the proxy.
  std::map<std::string, std::string> resolve;
  /// Called with each fact of TraceEvent as it happens; none by default.
  std::function<void(TraceEvent, std::string_view)> trace;
};

/// One connection, as coroutines: send a request, read its response head, read
/// the body in pieces. Keep-alive: after a response has been read to its end,
/// the next request goes on the same connection (reusable() says whether it can).
///   auto c = co_await AsyncConnection::open("https", "example.com", 443);
///   co_await c.send_request(Request{"GET", "/"});
///   const Response& r = co_await c.read_response_head();
///   std::string body = co_await c.read_body_all(10 << 20);
class AsyncConnection {
 public:
  /// Connects to host:port, with TLS when `scheme` is "https" (verifying `host`).
  static io::Task<AsyncConnection> open(std::string scheme, std::string host, std::uint16_t port,
                                        ConnectionOptions options = {});
  AsyncConnection(AsyncConnection&&) noexcept;
  AsyncConnection& operator=(AsyncConnection&&) noexcept;
  ~AsyncConnection();

  /// Sends the request head and `body`. Adds Host (unless given), and
  /// Content-Length for a body (or a method that expects one) unless the
  /// caller framed it. @throws http::Error for a head that may not be sent
  /// (CR, LF or NUL in it; nothing is sent then), system_error, TimeoutError.
  io::Task<void> send_request(Request request, std::span<const std::byte> body = {});
  io::Task<void> send_request(Request request, std::string_view body) {
    return send_request(std::move(request), std::as_bytes(std::span(body)));
  }
  /// Fills the buffer with the next piece of a request body; 0 at its end.
  using BodySource = std::function<std::size_t(std::span<std::byte>)>;
  /// Streams the body from `source`: with Content-Length `length`, or chunked
  /// when the length is not known. Never holds more than 64 KiB of it.
  io::Task<void> send_request(Request request, BodySource source,
                              std::optional<std::uint64_t> length);
  /// Reads up to the final response's head (1xx responses are skipped; a 101 is final, and
  /// only an answer to a request with an Upgrade field: else http::Errc::bad_message).
  /// @throws http::Error for a malformed or oversized response.
  io::Task<std::reference_wrapper<const Response>> read_response_head();
  /// The head read_response_head() read, until the next request.
  const Response& response() const noexcept;
  /// Its Content-Length, if it has one.
  std::optional<std::uint64_t> content_length() const noexcept;
  /// Some of the body, chunked framing removed; 0 at its end.
  io::Task<std::size_t> read_body(std::span<std::byte> buffer);
  /// The rest of the body; @throws wire::Errc::limit_exceeded past `max` bytes.
  io::Task<std::string> read_body_all(std::size_t max);

  /// Whether another request may follow on this connection now.
  bool reusable() const noexcept;
  /// "host:port", for messages.
  const std::string& peer() const noexcept;
  tls::AnyStream& stream() noexcept;
  void close() noexcept;

 private:
  struct State;
  explicit AsyncConnection(std::unique_ptr<State> state);
  std::string prepare(Request& request, std::optional<std::uint64_t> body_length, bool chunked);
  io::Task<void> write_or_break(std::span<const std::byte> data);
  std::unique_ptr<State> s_;
};

/// The response Connection::getresponse() gives: the head, and the body to read.
class ClientResponse;

/// The blocking form, Python's http.client:
///   auto conn = wire::http::Connection::https("example.com");   // HTTPSConnection
///   conn.request("GET", "/");
///   auto& r = conn.getresponse();
///   std::cout << r.status() << " " << r.reason() << "\n" << r.read();
/// It connects at the first request (and again when the server closed the last
/// connection), and runs AsyncConnection on a loop of its own.
class Connection {
 public:
  /// scheme "http" or "https"; port 0: the scheme's default.
  Connection(std::string scheme, std::string host, std::uint16_t port = 0,
             ConnectionOptions options = {});
  static Connection http(std::string host, std::uint16_t port = 80, ConnectionOptions options = {}) {
    return Connection("http", std::move(host), port, std::move(options));
  }
  static Connection https(std::string host, std::uint16_t port = 443, ConnectionOptions options = {}) {
    return Connection("https", std::move(host), port, std::move(options));
  }
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  /// Sends a request (connecting first, or again if the server closed the last one).
  void request(std::string_view method, std::string_view target, std::string_view body = {},
               const Headers& headers = {});
  /// The response to the last request; valid until the next request.
  ClientResponse& getresponse();
  void close() noexcept;

 private:
  struct Impl;
  friend class ClientResponse;
  std::unique_ptr<Impl> impl_;
};

class ClientResponse {
 public:
  int status() const noexcept { return head_->status; }
  const std::string& reason() const noexcept { return head_->reason; }
  const Headers& headers() const noexcept { return head_->headers; }
  const Response& head() const noexcept { return *head_; }
  /// The rest of the body (at most `max` bytes, else wire::Errc::limit_exceeded).
  std::string read(std::size_t max = std::size_t(1) << 30);
  /// Some of the body into `buffer`; 0 at its end.
  std::size_t read(std::span<std::byte> buffer);

 private:
  friend class Connection;
  Connection::Impl* connection_ = nullptr;
  const Response* head_ = nullptr;
};

}  // namespace wire::http
