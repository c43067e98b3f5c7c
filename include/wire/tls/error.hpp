// SPDX-License-Identifier: MIT
// wire::tls::Error: what went wrong in a TLS handshake or session, in words.
#pragma once

#include <string>
#include <system_error>

#include "wire/error.hpp"

namespace wire::tls {

/// The kinds of TLS failure. Compare with `ec == wire::tls::Errc::verify_failed`.
enum class Errc {
  handshake_failed = 1,  ///< the handshake did not complete (protocol, version, cipher, alert)
  verify_failed,         ///< the peer's certificate was refused; Error::verify_result() says why
  protocol_error,        ///< a TLS error after the handshake (bad record, alert from the peer)
  truncated,             ///< the connection ended without close_notify (possible truncation attack)
  unexpected_plaintext,  ///< bytes that are not TLS arrived where TLS was expected (STARTTLS injection)
};

/// The category of wire::tls::Errc values; its name() is "tls".
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// A TLS failure. what() names the operation and the peer, then OpenSSL's
/// reason, and for a refused certificate the verification result in words:
///   "TLS handshake with localhost:4433: certificate verify failed: certificate has expired"
class Error : public wire::Error {
 public:
  Error(Errc code, const std::string& what, std::string reason = {}, long verify_result = 0)
      : wire::Error(make_error_code(code), what), reason_(std::move(reason)), verify_result_(verify_result) {}

  /// OpenSSL's reason string ("certificate verify failed", "wrong version number"), or empty.
  const std::string& reason() const noexcept { return reason_; }
  /// The X509_V_ERR_* code when the peer's certificate was refused, 0 (X509_V_OK) otherwise.
  long verify_result() const noexcept { return verify_result_; }

 private:
  std::string reason_;
  long verify_result_;
};

/// The verification result `x509_v_err` in words: "certificate has expired",
/// "host name mismatch", "self-signed certificate", "unknown CA (...)".
std::string verify_result_string(long x509_v_err);

}  // namespace wire::tls

template <>
struct std::is_error_code_enum<wire::tls::Errc> : std::true_type {};
