// SPDX-License-Identifier: MIT
// wire::http::ServerRequest: a request as a server's handler sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/http/headers.hpp"
#include "wire/http/message.hpp"
#include "wire/io/task.hpp"
#include "wire/net/address.hpp"

namespace wire::http {

namespace detail {
struct ServerAccess;
/// Where a streamed request body comes from (the server's connection).
struct BodySource {
  virtual ~BodySource() = default;
  virtual io::Task<std::size_t> read(std::span<std::byte> buffer) = 0;
};
}  // namespace detail

/// A request as its handler sees it: the head, the route's parameters, the peer, the body.
class ServerRequest {
 public:
  const std::string& method() const noexcept { return head_->method; }
  /// The request-target as received ("/a%20b?x=1").
  const std::string& target() const noexcept { return head_->target; }
  /// The path of the target, still percent-encoded ("/a%20b").
  std::string_view path() const noexcept { return path_; }
  /// The query of the target without its '?', still encoded ("x=1"); empty if none.
  std::string_view query() const noexcept { return query_; }
  /// The decoded value of `name` in the query (a=1&b=x%20y; '+' is a space), if present.
  std::optional<std::string> query_param(std::string_view name) const;
  Version version() const noexcept { return head_->version; }
  const Headers& headers() const noexcept { return head_->headers; }
  const Request& head() const noexcept { return *head_; }
  /// The decoded value of route parameter `name` ("/users/{id}"), or "" if the route has none.
  std::string_view param(std::string_view name) const noexcept;
  /// The client's address, from the socket: never from a header a client could send.
  const net::Address& peer() const noexcept { return *peer_; }
  /// Whether the request came over TLS.
  bool is_tls() const noexcept { return tls_; }
  /// The request's Content-Length, if it has one (a chunked body has none).
  std::optional<std::uint64_t> content_length() const noexcept { return content_length_; }
  /// Whether the request has a body (Content-Length above 0, or chunked).
  bool has_body() const noexcept { return has_body_; }

  /// The body, read whole before the handler runs (up to ServerLimits::max_body), unless the
  /// route streams it (RouteOptions::stream_body).
  std::string body;

  /// For a route that streams its body: the next bytes of it, 0 at its end. Up to the route's
  /// max_body; a body beyond it ends the request with 413. Sends 100 Continue first if the
  /// client asked for it.
  io::Task<std::size_t> read_body(std::span<std::byte> buffer);


 private:
  friend struct detail::ServerAccess;  // the server makes requests and fills them in
  ServerRequest(const Request& head, const net::Address& peer, bool tls);

  const Request* head_;
  const net::Address* peer_;
  std::string_view path_;
  std::string_view query_;
  std::vector<std::pair<std::string_view, std::string>> params_;
  std::optional<std::uint64_t> content_length_;
  detail::BodySource* source_ = nullptr;
  bool has_body_ = false;
  bool tls_ = false;
};

}  // namespace wire::http
