// SPDX-License-Identifier: MIT
#include "wire/http/error.hpp"

namespace wire::http {
namespace {

std::string describe_http(int value) {
  switch (static_cast<Errc>(value)) {
    case Errc::bad_message:
      return "malformed HTTP message";
    case Errc::bad_method:
      return "invalid or unknown method";
    case Errc::bad_target:
      return "invalid request target";
    case Errc::bad_version:
      return "unsupported HTTP version";
    case Errc::bad_request_line:
      return "malformed request line";
    case Errc::bad_status_line:
      return "malformed status line";
    case Errc::start_line_too_long:
      return "start line too long";
    case Errc::bad_header_name:
      return "invalid header field name";
    case Errc::bad_header_value:
      return "invalid header field value";
    case Errc::obsolete_line_folding:
      return "obsolete line folding in header";
    case Errc::bad_line_ending:
      return "bare CR or LF where CRLF is required";
    case Errc::header_too_large:
      return "header section too large";
    case Errc::too_many_headers:
      return "too many header fields";
    case Errc::bad_host:
      return "missing, repeated or invalid Host header";
    case Errc::bad_content_length:
      return "invalid Content-Length";
    case Errc::conflicting_content_length:
      return "more than one Content-Length";
    case Errc::content_length_with_transfer_encoding:
      return "both Content-Length and Transfer-Encoding (possible request smuggling)";
    case Errc::bad_transfer_encoding:
      return "invalid Transfer-Encoding";
    case Errc::unsupported_transfer_coding:
      return "unsupported transfer coding";
    case Errc::bad_chunk:
      return "malformed chunk";
    case Errc::too_many_interim_responses:
      return "too many 1xx responses";
    case Errc::truncated_head:
      return "connection closed inside a message head";
    case Errc::truncated_body:
      return "connection closed before the end of the body";
    case Errc::data_after_close:
      return "data after the message that closes the connection";
    case Errc::bad_content_encoding:
      return "the body does not decode as its Content-Encoding says";
    case Errc::too_many_redirects:
      return "too many redirects";
    case Errc::proxy_refused:
      return "the proxy refused the tunnel";
    case Errc::chunk_line_too_long:
      return "chunk-size line (with its extensions) too long";
  }
  return "unknown HTTP error " + std::to_string(value);
}

}  // namespace

const std::error_category& error_category() noexcept {
  static const wire::detail::NamedCategory category("http", describe_http);
  return category;
}

int status_for_error(std::error_code ec) noexcept {
  if (ec.category() != error_category()) return 400;
  switch (static_cast<Errc>(ec.value())) {
    case Errc::start_line_too_long:
      return 414;  // RFC 9112 §3: a server answers a long request-line with 414
    case Errc::header_too_large:
    case Errc::too_many_headers:
      return 431;  // RFC 6585 §5
    case Errc::bad_method:
    case Errc::unsupported_transfer_coding:
      return 501;  // RFC 9110 §9.1, RFC 9112 §6.1
    case Errc::bad_version:
      return 505;
    default:
      return 400;
  }
}

}  // namespace wire::http
