// SPDX-License-Identifier: MIT
// wire::tls::Stream: TLS over a blocking wire::net::Socket, Python's ssl.SSLSocket.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "wire/net/socket.hpp"
#include "wire/tls/context.hpp"
#include "wire/tls/engine.hpp"

namespace wire::tls {

/// TLS over a blocking socket. The socket's timeout (net::Socket::set_timeout)
/// bounds each call as a whole: a handshake, a send_all, a recv.
///
///   auto ctx = wire::tls::Context::client();
///   auto s = wire::tls::Stream::connect(ctx, "example.com", 443, 10s);
///   s.send_all("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n");
///   std::string reply = s.recv(4096);
///
/// STARTTLS: build a Stream on the socket that carried the plaintext dialogue,
/// then call handshake(). A client refuses to start if plaintext bytes are
/// already waiting (they would be an attacker's injection, never TLS data).
class Stream {
 public:
  /// Connects (Happy Eyeballs), then handshakes, verifying `host`. The socket
  /// keeps `timeout` for later calls. @throws std::system_error, TimeoutError, tls::Error
  static Stream connect(const Context& context, std::string_view host, std::uint16_t port,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Wraps a connected socket; the handshake happens in handshake() or in the
  /// first send or recv. A client context needs `server_name` unless insecure.
  Stream(net::Socket socket, const Context& context, std::string_view server_name = {});
  Stream(Stream&&) noexcept = default;
  Stream& operator=(Stream&& other) noexcept;
  /// close(): close_notify if it can go at once, then the socket closes.
  ~Stream();

  void handshake();

  std::size_t send(std::span<const std::byte> data);
  void send_all(std::span<const std::byte> data);
  void send_all(std::string_view data) { send_all(std::as_bytes(std::span(data))); }

  /// Up to buffer.size() bytes; 0 once the peer's close_notify arrived.
  /// @throws tls::Error (Errc::truncated) if the connection ends without close_notify.
  std::size_t recv(std::span<std::byte> buffer);
  std::string recv(std::size_t max);
  void recv_exactly(std::span<std::byte> buffer);
  std::string recv_exactly(std::size_t n);

  /// Sends close_notify: the peer sees the end of data; reading goes on until its own.
  void shutdown();
  /// Sends close_notify if the session is up (without waiting for the peer's), then closes.
  void close() noexcept;

  net::Socket& socket() noexcept { return socket_; }
  const Engine& engine() const noexcept { return engine_; }
  /// The engine, for a caller that moves the bytes between it and socket() itself (a
  /// non-blocking exchange after the handshake); the Stream's own calls must not mix in.
  Engine& engine() noexcept { return engine_; }
  std::string alpn() const { return engine_.alpn(); }
  std::string version() const { return engine_.version(); }

 private:
  class Call;  // one call's deadline over the socket's timeout
  void handshake(Call& call);
  void flush(Call& call);
  void fill(Call& call, const char* operation);

  net::Socket socket_;
  std::string peer_;
  Engine engine_;
  bool client_ = false;
  bool started_ = false;
};

}  // namespace wire::tls
