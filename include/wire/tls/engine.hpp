// SPDX-License-Identifier: MIT
// wire::tls::Engine: one TLS connection as a sans-I/O state machine.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/tls/context.hpp"
#include "wire/tls/error.hpp"
#include "wire/tls/session.hpp"

struct ssl_st;  // OpenSSL's SSL

namespace wire::tls {

/// The streams' writes encrypt this many bytes at a time, and the first piece
/// before they first wait: a caller's buffer of at most this size may be reused
/// as soon as an async write_all() first suspends.
inline constexpr std::size_t kWriteChunk = 64 * 1024;

/// OpenSSL's SSL over two memory buffers, doing no I/O itself: the caller moves
/// bytes between the buffers and a transport. So one engine serves blocking
/// sockets and wire::io streams alike, and STARTTLS is only starting an engine
/// on a connection that already carried plaintext.
///
///   for (;;) {                        // drive an operation
///     auto status = engine.handshake();
///     send everything in engine.output(), then engine.consume_output(n);
///     if (status == Engine::Status::done) break;
///     n = recv(engine.input_space()); n ? engine.commit_input(n) : engine.input_eof();
///   }
///
/// Failures throw tls::Error; after one the engine is unusable.
class Engine {
 public:
  enum class Status {
    done,        ///< the operation finished
    want_input,  ///< it needs bytes from the peer: receive into input_space(), then retry
    closed,      ///< read only: the peer sent close_notify (a clean end of data)
  };

  /// `server_name` (client): the name sent as SNI and checked against the
  /// certificate, a host name or an IP literal; required unless the context is
  /// insecure. `peer` names the connection in error messages ("host:port") and
  /// keys the client's session cache.
  Engine(const Context& context, std::string_view server_name = {}, std::string_view peer = {});
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // --- Transport side
  /// Free space for received bytes (at least 16 KiB).
  std::span<std::byte> input_space();
  void commit_input(std::size_t n) noexcept;
  /// The transport reached end of file.
  void input_eof() noexcept;
  /// Bytes not yet consumed by TLS: after a failed handshake, what arrived.
  std::size_t input_buffered() const noexcept;
  /// Decrypted bytes OpenSSL holds that read() has not returned yet (SSL_pending).
  std::size_t plaintext_buffered() const noexcept;
  /// Frees the buffers that hold nothing now — the engine's input and output buffers and
  /// OpenSSL's record buffers (SSL_free_buffers) — for a connection about to sit idle: ~50 KiB
  /// less each. They are allocated again by the next input_space(), read or write.
  void release_buffers() noexcept;
  /// Bytes to send to the peer, in order.
  std::span<const std::byte> output() const noexcept;
  void consume_output(std::size_t n) noexcept;
  /// Moves all of output() into `buffer` (replacing its contents; its capacity
  /// is recycled for the engine's next output). For a sender that must wait
  /// while the engine may produce more: it sends from memory the engine no
  /// longer touches.
  void take_output(std::vector<std::byte>& buffer);

  // --- TLS side
  Status handshake();
  /// Decrypts into `buffer` (as much as the buffered records give); `n` is set
  /// when done. Never returns done with n == 0.
  Status read(std::span<std::byte> buffer, std::size_t& n);
  /// Encrypts all of `data` into output(): always done once the handshake is.
  void write(std::span<const std::byte> data);
  /// Queues close_notify. Reading stays possible until the peer's close_notify.
  void shutdown();

  bool handshake_done() const noexcept;
  /// Whether the peer's close_notify arrived.
  bool peer_closed() const noexcept;
  /// The negotiated ALPN protocol, or empty.
  std::string alpn() const;
  /// "TLSv1.3", "TLSv1.2".
  std::string version() const;
  std::string cipher() const;
  bool session_reused() const noexcept;
  /// This connection's session, for another connection to the same server to resume
  /// (set_session()); empty before the handshake. In TLS 1.3 it is replaced by each ticket
  /// the server sends, and those arrive on reads after the handshake.
  Session session() const;
  /// Client, before the handshake: offer `session` (another connection's, see Session)
  /// instead of what the context's cache holds for the peer. An empty one offers none. A copy
  /// is offered, so however this connection ends, `session` stays resumable for others.
  /// @throws std::logic_error on a server engine or once the handshake has begun.
  void set_session(const Session& session);
  /// The peer certificate's subject ("CN=localhost"), or empty if it sent none.
  std::string peer_subject() const;
  /// The SNI name a client asked for (server side), or empty.
  std::string requested_server_name() const;

  ssl_st* native_handle() const noexcept;

  struct Impl;  // private to the implementation

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::tls
