// SPDX-License-Identifier: MIT
// Helpers for the wire::http::Server tests: an in-process server on 127.0.0.1 (port 0),
// and a raw blocking client that reads responses byte for byte with its own strict parser
// (not wire's), so that the tests see exactly what the server put on the wire: the status
// line, every field, the body as framed (Content-Length, chunked or the close), and how the
// connection ended (EOF, reset, or still open).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/http/server.hpp"
#include "wire/net/socket.hpp"

namespace wire::test::http {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// --- the server ----------------------------------------------------------------------------

/// Options for a test server: 127.0.0.1, port 0, `threads` workers, `limits`.
wire::http::ServerOptions server_options(wire::http::ServerLimits limits = {}, unsigned threads = 1);

/// A started wire::http::Server; shut down (0 s grace) when destroyed.
///   TestServer server(std::move(router));
///   RawClient c(server.port());
class TestServer {
 public:
  explicit TestServer(wire::http::Router router, wire::http::ServerOptions options = server_options());
  TestServer(wire::http::Router router, wire::http::ServerLimits limits, unsigned threads = 1)
      : TestServer(std::move(router), server_options(limits, threads)) {}
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  wire::http::Server& server() { return *server_; }

 private:
  std::unique_ptr<wire::http::Server> server_;
  std::uint16_t port_ = 0;
};

// --- a raw client ----------------------------------------------------------------------------

/// A response as read off the wire.
struct RawResponse {
  std::string raw;          ///< every byte of it, as received
  std::string status_line;  ///< without its CRLF
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> fields;  ///< in order, as sent
  std::string body;         ///< chunked framing removed
  bool chunked = false;
  bool until_close = false;  ///< the body was delimited by the close
  bool head_request = false; ///< read as the answer to HEAD (no body whatever the fields)
  std::vector<std::pair<std::string, std::string>> trailers;

  /// The value of the one field named `name` (any case); nullopt if absent. A field sent
  /// more than once fails the test (ADD_FAILURE) and returns the first.
  std::optional<std::string> header(std::string_view name) const;
  /// How many fields named `name` (any case) were sent.
  std::size_t count(std::string_view name) const;
};

/// How a connection ended, from the client's side.
enum class End {
  eof,      ///< the server closed (recv returned 0)
  reset,    ///< ECONNRESET
  timeout,  ///< still open, silent, when the wait ran out
};
const char* to_string(End end);
inline std::ostream& operator<<(std::ostream& os, End e) { return os << to_string(e); }

/// What came after the last response: any further bytes, and how it ended.
struct Tail {
  std::string data;  ///< bytes received (should be none)
  End end = End::timeout;
  Clock::duration elapsed{};  ///< from the call to the end
};

/// A blocking TCP connection to 127.0.0.1:port with a timeout on every call, reading
/// responses with its own strict parser. Parse errors throw std::runtime_error (the test
/// fails with the message).
class RawClient {
 public:
  /// Connects to 127.0.0.1:`port`, from `source` (another loopback address, "127.0.0.2")
  /// when given.
  explicit RawClient(std::uint16_t port, std::chrono::milliseconds timeout = 10s, std::string_view source = {});

  wire::net::Socket& socket() noexcept { return sock_; }
  /// Sends everything.
  void send(std::string_view bytes);
  /// Sends, ignoring a peer that already closed (returns whether it all went).
  bool send_quietly(std::string_view bytes);
  /// Closes the sending side (the server reads EOF).
  void shutdown_write();
  /// Reads one response. `head_request`: the request was HEAD (no body whatever the fields).
  RawResponse read_response(bool head_request = false);
  /// Sends `request` and reads its response.
  RawResponse roundtrip(std::string_view request, bool head_request = false);
  /// Reads until the server closes or resets, or `wait` passes: what came, and how it ended.
  Tail tail(std::chrono::milliseconds wait = 5s);
  /// Whether the server has neither sent anything nor closed within `wait`.
  bool still_open(std::chrono::milliseconds wait = 100ms);

 private:
  std::string read_line(std::size_t max);  // up to and with CRLF
  wire::net::Socket sock_;
};

/// "GET target HTTP/1.1\r\nHost: test\r\n" + fields + "\r\n".
std::string get(std::string_view target, std::string_view fields = "");
/// A request with a Content-Length body.
std::string request(std::string_view method, std::string_view target, std::string_view body,
                    std::string_view fields = "");

/// The body `ServerResponse::error(status)` sends: "404 Not Found\n".
std::string error_body(int status);

/// Checks the parts of a response every answer shares: `status`, one "Server: wire", one
/// Date in the IMF-fixdate form, and the framing: Content-Length equal to the body's size
/// (any value for HEAD), "Transfer-Encoding: chunked" alone for a chunked body, neither for
/// a body delimited by the close or a status without a body (1xx, 204, 304).
testing::AssertionResult is_response(const RawResponse& r, int status);

}  // namespace wire::test::http
