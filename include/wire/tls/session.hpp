// SPDX-License-Identifier: MIT
// wire::tls::Session: a client's TLS session, kept to resume it on another connection.
#pragma once

#include <memory>

struct ssl_session_st;  // OpenSSL's SSL_SESSION

namespace wire::tls {

/// A resumable TLS session of a client connection, taken from one connection and offered on
/// another: an FTP data connection resumes its control connection's session (servers such as
/// vsftpd with `require_ssl_reuse` refuse data connections that do not: RFC 4217 §10.2 leaves
/// tying them together to the server). A context's own cache is keyed by "host:port", and a data
/// connection's port differs from the control connection's, so the session is passed by hand.
///   tls::Session s = control.session();        // after the handshake (and, in TLS 1.3,
///   data.set_session(s);                       // after a read: tickets come then)
///   co_await data.handshake();  data.engine().session_reused();
/// Cheap to copy (copies share one SSL_SESSION); empty when there is none.
class Session {
 public:
  Session() = default;
  /// Takes one reference to `session` (nullptr: empty).
  explicit Session(ssl_session_st* session);

  bool empty() const noexcept { return !session_; }
  explicit operator bool() const noexcept { return !empty(); }
  /// Whether a handshake may resume it: a TLS 1.3 session becomes resumable only when the
  /// server's ticket has arrived, which happens on a read after the handshake.
  bool resumable() const noexcept;
  ssl_session_st* native_handle() const noexcept { return session_.get(); }

 private:
  std::shared_ptr<ssl_session_st> session_;
};

}  // namespace wire::tls
