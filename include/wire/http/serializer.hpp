// SPDX-License-Identifier: MIT
// The HTTP/1.1 serializer: message heads and chunked bodies to bytes, refusing what would
// let a caller's data inject protocol lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/http/headers.hpp"
#include "wire/http/message.hpp"

namespace wire::http {

/// Checks that `req` can be sent as it is: the method is a token; the target is non-empty
/// visible ASCII (no SP, CR, LF, NUL or other control: percent-encode, see Url); the version
/// is 1.0 or 1.1; every field name is a token and every value is_valid_field_value(); and the
/// framing is unambiguous (Content-Length a decimal number, given once, never together with
/// Transfer-Encoding: RFC 9112 §6.3). Returns the first problem, or {}.
std::error_code check(const Request& req) noexcept;
/// Checks a response the same way; the status is 100-999 and the reason has no control
/// character but HTAB.
std::error_code check(const Response& res) noexcept;

/// Appends the request-line and header section (ending with the empty line) to `out`.
/// A message that fails check() throws http::Error and leaves `out` untouched.
///   std::string out; encode_head(Request{"GET", "/"}, out);  // "GET / HTTP/1.1\r\n\r\n"
void encode_head(const Request& req, std::string& out);
/// Appends the status-line and header section; the standard reason phrase if `res.reason`
/// is empty.
void encode_head(const Response& res, std::string& out);
/// The same, as new strings.
std::string encode_head(const Request& req);
std::string encode_head(const Response& res);
/// The same, reporting a refused message in `ec` (and leaving `out` untouched) instead of
/// throwing.
void encode_head(const Request& req, std::string& out, std::error_code& ec);
void encode_head(const Response& res, std::string& out, std::error_code& ec);

/// How a server frames a response, and the lines it adds of its own (encode_response_head).
struct ResponseFraming {
  /// Content-Length; none for a body framed otherwise, or for no body (1xx, 204, 304).
  std::optional<std::uint64_t> content_length;
  bool chunked = false;     ///< Transfer-Encoding: chunked (when there is no content_length)
  bool close = false;       ///< Connection: close
  bool keep_alive = false;  ///< Connection: keep-alive (to an HTTP/1.0 client), unless `close`
  /// Field lines encoded and checked beforehand ("ETag: \"1f\"\r\n..."): a cached file's
  /// own fields, appended after `fields` as they are.
  std::string_view field_lines = {};
  /// Whole field lines ("Server: wire\r\n", "Date: ...\r\n"), each sent unless the fields
  /// have one of that name already.
  std::string_view server_line;
  std::string_view date_line;
};

/// Appends a server's response head to `out` in one pass: "HTTP/1.1", the status and `reason`
/// (the standard phrase if empty), `fields` without those that frame a message
/// (Content-Length, Transfer-Encoding, Connection: `framing` decides those), the server and
/// date lines, the framing, and the empty line. Checks as it writes, as check() does (status
/// 100-999, reason and values without CR, LF, NUL or other controls, names tokens); on the
/// first problem `out` is left as it was and the error returned.
///   encode_response_head(200, "", res.headers, {.content_length = 5}, out);
std::error_code encode_response_head(int status, std::string_view reason, const Headers& fields,
                                     const ResponseFraming& framing, std::string& out);

/// Appends one chunk of the chunked transfer coding (RFC 9112 §7.1): size in hex, CRLF,
/// data, CRLF. Empty `data` appends nothing, since a zero-size chunk ends the body.
void encode_chunk(std::string_view data, std::string& out);
/// Appends the chunk-size line of a chunk of `size` bytes ("1a\r\n"), for a caller that
/// sends the data from its own buffer (then CRLF). `size` must not be 0.
void encode_chunk_header(std::size_t size, std::string& out);
/// Appends the last chunk, the trailer fields (RFC 9112 §7.1.2) and the final CRLF. Invalid
/// trailer names or values throw http::Error and leave `out` untouched.
void encode_last_chunk(std::string& out, const Headers& trailers = {});

}  // namespace wire::http
