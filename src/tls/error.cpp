// SPDX-License-Identifier: MIT
#include "wire/tls/error.hpp"

#include "openssl.hpp"

namespace wire::tls {
namespace {

std::string describe_tls(int value) {
  switch (static_cast<Errc>(value)) {
    case Errc::handshake_failed:
      return "TLS handshake failed";
    case Errc::verify_failed:
      return "certificate verify failed";
    case Errc::protocol_error:
      return "TLS protocol error";
    case Errc::truncated:
      return "TLS connection closed without close_notify";
    case Errc::unexpected_plaintext:
      return "plaintext received where TLS was expected";
  }
  return "unknown TLS error " + std::to_string(value);
}

}  // namespace

const std::error_category& error_category() noexcept {
  static const wire::detail::NamedCategory category("tls", describe_tls);
  return category;
}

std::string verify_result_string(long result) {
  switch (result) {
    case X509_V_OK:
      return "ok";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "certificate is not yet valid";
    case X509_V_ERR_HOSTNAME_MISMATCH:
      return "host name mismatch";
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "IP address mismatch";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "self-signed certificate";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "self-signed certificate in chain (unknown CA)";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      return "unknown CA (unable to get local issuer certificate)";
    case X509_V_ERR_CERT_REVOKED:
      return "certificate revoked";
    case X509_V_ERR_INVALID_PURPOSE:
      return "certificate not for this purpose (extended key usage)";
    default:
      return X509_verify_cert_error_string(result);
  }
}

namespace detail {

std::string take_openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    std::string text = reason ? reason : "OpenSSL error " + std::to_string(ERR_GET_REASON(e));
    if (out.find(text) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

void throw_openssl(Errc code, const std::string& what) {
  std::string reason = take_openssl_errors();
  throw Error(code, reason.empty() ? what : what + ": " + reason, reason);
}

}  // namespace detail
}  // namespace wire::tls
