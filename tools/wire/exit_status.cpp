// SPDX-License-Identifier: MIT
#include "exit_status.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>

#include "wire/error.hpp"
#include "wire/http/error.hpp"
#include "wire/text/url.hpp"
#include "wire/tls/error.hpp"

namespace wire::cli {

const char* const kExitStatusHelp =
    "Exit status (curl's numbers):\n"
    "  0  success            2  usage              3  malformed URL\n"
    "  6  could not resolve  7  could not connect  22 HTTP status >= 400 with -f\n"
    "  23 write error        28 timeout            35 TLS handshake failed\n"
    "  47 too many redirects 60 certificate not verified\n"
    "  63 body larger than --max-filesize          1  anything else\n";

namespace {

int status_for_code(std::error_code ec) noexcept {
  if (ec == std::errc::timed_out) return kExitTimeout;
  if (ec.category() == resolver_category()) return kExitResolve;
  if (ec.category() == tls::error_category()) {
    if (ec == tls::Errc::verify_failed) return kExitCertificate;
    if (ec == tls::Errc::handshake_failed || ec == tls::Errc::unexpected_plaintext) return kExitTls;
    return kExitOther;
  }
  if (ec == http::Errc::too_many_redirects) return kExitRedirects;
  if (ec == wire::Errc::limit_exceeded) return kExitFileSize;
  if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
    switch (ec.value()) {
      case ECONNREFUSED:
      case ENETUNREACH:
      case EHOSTUNREACH:
      case EADDRNOTAVAIL:
        return kExitConnect;
      default:
        break;
    }
  }
  return kExitOther;
}

}  // namespace

int exit_status_for(const std::exception& e) noexcept {
  if (dynamic_cast<const CLI::ParseError*>(&e) || dynamic_cast<const UsageError*>(&e)) return kExitUsage;
  if (dynamic_cast<const WriteError*>(&e)) return kExitWrite;
  if (dynamic_cast<const HttpStatusError*>(&e)) return kExitHttpStatus;
  if (dynamic_cast<const text::UrlError*>(&e)) return kExitUrl;
  if (dynamic_cast<const TimeoutError*>(&e)) return kExitTimeout;
  if (const auto* s = dynamic_cast<const std::system_error*>(&e)) return status_for_code(s->code());
  return kExitOther;
}

}  // namespace wire::cli
