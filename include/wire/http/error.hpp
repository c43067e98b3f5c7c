// SPDX-License-Identifier: MIT
// wire::http errors: what was wrong with an HTTP/1.1 message, as values and as exceptions.
#pragma once

#include <string>
#include <system_error>

#include "wire/error.hpp"

namespace wire::http {

/// Why a message was refused, by the parser (received bytes) or by the serializer (a message
/// the caller asked to send). Compare with `ec == wire::http::Errc::header_too_large`.
enum class Errc {
  bad_message = 1,     ///< malformed in a way no more specific code names
  bad_method,          ///< the method is not a token, or one the parser does not know
  bad_target,          ///< the request-target has characters it may not have, or userinfo
  bad_version,         ///< not HTTP/1.0 or HTTP/1.1 (HTTP/2's preface included)
  bad_request_line,    ///< the request-line is not `method SP target SP version CRLF`
  bad_status_line,     ///< the status-line is not `version SP 3DIGIT SP reason CRLF`
  start_line_too_long, ///< request-line or status-line longer than the limit
  bad_header_name,     ///< a field name that is not a token (RFC 9110 §5.1)
  bad_header_value,    ///< a field value with CR, LF, NUL or another control character
  obsolete_line_folding,  ///< a field line continued on the next line (RFC 9112 §5.2)
  bad_line_ending,     ///< a bare CR or LF where CRLF is required (RFC 9112 §2.2)
  header_too_large,    ///< the header (or trailer) section is larger than the limit
  too_many_headers,    ///< more header (or trailer) fields than the limit
  bad_host,            ///< not exactly one Host in HTTP/1.1, or one that is no authority (RFC 9112 §3.2)
  bad_content_length,  ///< Content-Length is not a decimal number, or overflows
  conflicting_content_length,              ///< Content-Length more than once (RFC 9110 §8.6)
  content_length_with_transfer_encoding,   ///< both framings at once: request smuggling (RFC 9112 §6.3)
  bad_transfer_encoding,       ///< chunked not last (request), repeated, or in HTTP/1.0 (RFC 9112 §6.1)
  unsupported_transfer_coding, ///< a request transfer coding other than chunked (answer 501)
  bad_chunk,           ///< a chunk size that is not hex, overflows, or lacks its CRLF
  too_many_interim_responses,  ///< more 1xx responses before the final one than the limit
  truncated_head,      ///< the stream ended inside a message head
  truncated_body,      ///< the stream ended inside a body whose length was framed
  data_after_close,    ///< bytes after a message that ends the connection (Connection: close)
  bad_content_encoding,  ///< a gzip or deflate body that does not decode (the client's decoder)
  too_many_redirects,    ///< the client followed ClientOptions::max_redirects and was sent on again
  proxy_refused,         ///< an HTTP proxy answered CONNECT with a status other than 2xx
  chunk_line_too_long,   ///< a chunk-size line (extensions included) longer than the limit
};

/// The category of wire::http::Errc values; its name() is "http".
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// The status a server answers a request the parser refused with: 414 for a long
/// request-line, 431 for header limits, 501 for an unknown method or transfer coding,
/// 505 for the version, 400 for everything else.
int status_for_error(std::error_code ec) noexcept;

/// An HTTP protocol error as an exception, for the Python-style calls.
///   try { http::encode_head(req, out); } catch (const http::Error& e) { e.code(); }
class Error : public wire::Error {
 public:
  using wire::Error::Error;
  Error(Errc code, const std::string& what) : wire::Error(make_error_code(code), what) {}
};

}  // namespace wire::http

template <>
struct std::is_error_code_enum<wire::http::Errc> : std::true_type {};
