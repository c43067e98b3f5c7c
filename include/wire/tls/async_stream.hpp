// SPDX-License-Identifier: MIT
// wire::tls::AsyncStream: TLS over a wire::io::Stream, awaited by coroutines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/io/stream.hpp"
#include "wire/io/task.hpp"
#include "wire/tls/context.hpp"
#include "wire/tls/engine.hpp"

namespace wire::tls {

/// TLS over an async stream, with the same operations as io::Stream: one read
/// and one write may be under way at once, after the handshake. The
/// stream's read and write timeouts bound each transport operation; wrap a
/// handshake in io::with_timeout() to bound it as a whole.
///
///   auto ctx = wire::tls::Context::client();
///   auto s = co_await wire::tls::AsyncStream::connect(ctx, "example.com", 443);
///   co_await s.write_all(std::as_bytes(std::span(request)));
///   std::size_t n = co_await s.read_some(buffer);      // 0: close_notify
///
/// A server wraps each accepted io::Stream:
///   wire::tls::AsyncStream tls(std::move(stream), server_ctx);
///   co_await tls.handshake();
class AsyncStream {
 public:
  /// Connects and handshakes within `timeout`, verifying `host`.
  static io::Task<AsyncStream> connect(Context context, std::string host, std::uint16_t port,
                                       io::Clock::duration timeout = std::chrono::seconds(30));

  /// The server's side of a new connection: wraps `stream` and handshakes within `timeout`
  /// (a server context). A client that is not TLS, fails the handshake or is too slow leaves
  /// `ec` set (timed_out, or the tls::Error's code) and the stream closed.
  ///   auto tls = co_await AsyncStream::accept(std::move(accepted), server_ctx, 10s, ec);
  static io::Task<AsyncStream> accept(io::Stream stream, const Context& context, io::Clock::duration timeout,
                                      std::error_code& ec);

  /// Wraps a connected stream (also for STARTTLS, after the plaintext dialogue).
  /// `buffered` is whatever the caller had already read past the upgrade reply:
  /// if it is not empty, handshake() fails with Errc::unexpected_plaintext.
  AsyncStream(io::Stream stream, const Context& context, std::string_view server_name = {},
              std::span<const std::byte> buffered = {});
  AsyncStream(AsyncStream&&) noexcept = default;
  AsyncStream& operator=(AsyncStream&&) noexcept;
  /// close(): close_notify if it can go at once, then the socket closes.
  ~AsyncStream();

  io::Task<void> handshake();

  /// Some bytes (as many as the records at hand give); 0 after the peer's close_notify.
  io::Task<std::size_t> read_some(std::span<std::byte> buffer);
  io::Task<std::size_t> read_some(std::span<std::byte> buffer, std::error_code& ec);
  io::Task<void> read_exactly(std::span<std::byte> buffer);
  io::Task<void> write_all(std::span<const std::byte> data);
  io::Task<std::size_t> write_all(std::span<const std::byte> data, std::error_code& ec);

  /// Sends close_notify; reading goes on until the peer's.
  io::Task<void> shutdown();
  /// Sends close_notify without waiting (if the session is up), then closes the stream.
  void close() noexcept;

  io::Stream& next_layer() noexcept { return stream_; }
  const Engine& engine() const noexcept { return engine_; }
  /// Frees the buffers that hold nothing (Engine::release_buffers, and the sending buffer),
  /// for a connection about to sit idle. Only between operations: none may be under way.
  void release_buffers() noexcept;
  std::string alpn() const { return engine_.alpn(); }
  std::string version() const { return engine_.version(); }

 private:
  // Sends everything the engine has, waiting as needed: writes, handshakes, shutdown.
  io::Task<void> flush(const char* operation);
  // What a read made the engine produce (an alert, a key update's answer): sent
  // only if it can go at once and no write is under way; else the next write sends it.
  void flush_from_read() noexcept;
  io::Task<void> fill(const char* operation);

  io::Stream stream_;
  std::string peer_;
  Engine engine_;
  std::vector<std::byte> sending_;  // taken from the engine, being sent by flush()
  std::size_t sent_ = 0;            // how much of sending_ is already sent
  bool client_ = false;
  bool started_ = false;
  bool injected_ = false;  // the caller had read plaintext past the upgrade point
  bool flushing_ = false;  // a flush() is waiting to send
};

}  // namespace wire::tls
