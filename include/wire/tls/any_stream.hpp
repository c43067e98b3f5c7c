// SPDX-License-Identifier: MIT
// wire::tls::AnyStream: a connection that is plain or TLS, and can become TLS.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <variant>

#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/tls/async_stream.hpp"
#include "wire/tls/context.hpp"

namespace wire::tls {

/// What protocols hold when a connection may or may not be encrypted: HTTP (http
/// or https), and the STARTTLS dialogues (SMTP, FTP's AUTH TLS) where it begins
/// plain and upgrades in place. The same read and write calls either way.
///   wire::tls::AnyStream s(co_await wire::io::connect("mail.example.com", 587));
///   ... plaintext dialogue, then after "220 go ahead":
///   co_await s.start_tls(ctx, "mail.example.com");
class AnyStream {
 public:
  AnyStream() = default;
  explicit AnyStream(io::Stream plain) : stream_(std::move(plain)) {}
  explicit AnyStream(AsyncStream tls) : stream_(std::move(tls)) {}

  bool is_tls() const noexcept { return std::holds_alternative<AsyncStream>(stream_); }
  bool is_open() noexcept { return plain().is_open(); }
  /// The TLS stream (precondition: is_tls()).
  AsyncStream& tls() noexcept { return std::get<AsyncStream>(stream_); }
  /// The socket underneath, TLS or not (timeouts, addresses, descriptor).
  io::Stream& plain() noexcept;

  /// Upgrades a plain stream: wraps it in TLS and handshakes (see AsyncStream for
  /// what happens to plaintext that arrived before the handshake).
  io::Task<void> start_tls(const Context& context, std::string_view server_name = {},
                           std::span<const std::byte> buffered = {});

  io::Task<std::size_t> read_some(std::span<std::byte> buffer);
  io::Task<std::size_t> read_some(std::span<std::byte> buffer, std::error_code& ec);
  io::Task<void> write_all(std::span<const std::byte> data);
  io::Task<std::size_t> write_all(std::span<const std::byte> data, std::error_code& ec);
  /// Ends the data we send: close_notify for TLS, a TCP half-close for plain.
  io::Task<void> shutdown();
  void close() noexcept;

 private:
  std::variant<io::Stream, AsyncStream> stream_;
};

}  // namespace wire::tls
