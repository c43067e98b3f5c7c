// SPDX-License-Identifier: MIT
// The sans-I/O HTTP/1.1 parsers: bytes in, message events out, no sockets (RFC 9112).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/http/error.hpp"
#include "wire/http/headers.hpp"
#include "wire/http/message.hpp"

namespace wire::http {

/// What next() reports.
enum class EventKind : std::uint8_t {
  need_more,  ///< nothing more until feed() gets more bytes (or feed_eof() is called)
  head,       ///< a message head is complete: request() / response() hold it
  data,       ///< a piece of the body (chunked framing removed) in Event::data
  end,        ///< the message is complete; trailers() holds any trailer fields
  upgrade,    ///< the message that just ended switched protocols (CONNECT, Upgrade, 101):
              ///< what follows in the stream is not HTTP/1.1 and the parser takes no more
  error,      ///< the stream is not valid HTTP/1.1; error() says why. Sticky.
};

/// One event. `data` views the bytes given to feed() (for EventKind::data only).
struct Event {
  EventKind kind = EventKind::need_more;
  std::string_view data;
};

/// How the body of the current message is delimited (RFC 9112 §6.3), known from its head.
enum class BodyFraming : std::uint8_t {
  none,            ///< no body (or Content-Length: 0, HEAD, 1xx, 204, 304)
  content_length,  ///< Content-Length bytes
  chunked,         ///< the chunked transfer coding
  until_eof,       ///< a response body that ends when the connection closes
};

/// The limits a parser enforces, in bytes on the wire. A value at the limit passes; one more
/// byte (or field, or response) is an error naming the limit.
struct ParserLimits {
  /// The request-line or status-line without its CRLF (with any empty lines before it:
  /// counted from the end of the previous message). Errc::start_line_too_long.
  std::size_t max_start_line = 8 * 1024;
  /// Header fields in a head (and, separately, trailer fields). Errc::too_many_headers.
  std::size_t max_header_count = 100;
  /// The field lines of a head with their CRLFs, without the empty line that ends them (and,
  /// separately, of a trailer section). Errc::header_too_large.
  std::size_t max_header_bytes = 64 * 1024;
  /// 1xx responses (other than 101) before a final response. Errc::too_many_interim_responses.
  std::size_t max_interim_responses = 10;
  /// A chunk-size line with its chunk extensions, without its CRLF (RFC 9112 §7.1.1: the
  /// extensions are otherwise unbounded). Errc::chunk_line_too_long.
  std::size_t max_chunk_line = 4 * 1024;
};

namespace detail {
class ParserCore;
}

/// What RequestParser and ResponseParser share. Use one of them.
///
/// The shape is the one of every wire codec: feed() takes bytes and returns how many it
/// consumed; next() returns the events those bytes completed, then need_more; an error is
/// sticky. A body is not stored: each EventKind::data views the bytes given to feed(), so keep
/// those bytes until next() has returned need_more, and only then drop what feed() consumed.
///
///   std::size_t n = parser.feed(buffer);        // may stop early at a message boundary
///   for (auto ev = parser.next(); ev.kind != EventKind::need_more; ev = parser.next()) {...}
///   buffer.erase(0, n);                         // then feed the rest, or read more
///
/// feed() stops after a head, after each chunk and after each message, so a caller whose
/// buffer is not empty after the events feeds the rest before reading more. Framing is strict
/// (RFC 9112): no obsolete line folding, no bare CR or LF, no whitespace before a colon, one
/// Content-Length at most and never with Transfer-Encoding, chunked last in a request's
/// Transfer-Encoding, strict hex chunk sizes; llhttp's lenient modes are all off.
class MessageParser {
 public:
  MessageParser(MessageParser&&) noexcept;
  MessageParser& operator=(MessageParser&&) noexcept;
  ~MessageParser();

  /// Parses as much of `bytes` as makes the next event(s), and returns how many bytes it used.
  /// Returns 0 after an error, an upgrade, or feed_eof(). Calling feed() while next() still
  /// has events is a logic error (std::logic_error).
  std::size_t feed(std::string_view bytes);
  std::size_t feed(std::span<const std::byte> bytes);
  /// The peer closed its side: ends a body delimited by the close (an `end` event), and is an
  /// error inside a head (Errc::truncated_head) or a framed body (Errc::truncated_body).
  /// At a message boundary it changes nothing.
  void feed_eof();
  /// The next event; need_more when there is none until more bytes arrive.
  Event next();

  /// The trailer fields of a chunked message, valid from its `end` event until the next feed().
  const Headers& trailers() const noexcept;
  /// How the current message's body is delimited; valid from its `head` event.
  BodyFraming framing() const noexcept;
  /// The Content-Length of the current message, if it has one; valid from its `head` event.
  std::optional<std::uint64_t> content_length() const noexcept;
  /// Whether the connection can carry another message after the current one (HTTP/1.1
  /// without Connection: close, HTTP/1.0 with keep-alive, a length-delimited body); valid
  /// from the `head` event.
  bool keep_alive() const noexcept;
  /// The error that stopped the parser, or {}.
  std::error_code error() const noexcept;
  /// Whether bytes of a next message (empty lines before a request included) were fed since
  /// the last message ended: a server tells a client that began a request and stalled
  /// (408) from an idle one, a client a server that answered in part from a silent one.
  bool started() const noexcept;

  /// After an `upgrade` event the caller declined (a server answering an Upgrade request
  /// without 101): parse what follows as HTTP/1.1 again.
  void continue_after_upgrade() noexcept;

  const ParserLimits& limits() const noexcept;
  void set_max_start_line(std::size_t bytes) noexcept;
  void set_max_header_count(std::size_t fields) noexcept;
  void set_max_header_bytes(std::size_t bytes) noexcept;

 protected:
  MessageParser(bool response, const ParserLimits& limits);
  std::unique_ptr<detail::ParserCore> core_;
};

/// Parses requests, as a server receives them, pipelined or one by one.
///   RequestParser p; p.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
///   p.next().kind;  // head: p.request().method == "GET"     p.next().kind;  // end
class RequestParser : public MessageParser {
 public:
  explicit RequestParser(const ParserLimits& limits = {});
  /// The head of the current request, valid from its `head` event until the next feed()
  /// after its `end`.
  const Request& request() const noexcept;
};

/// Parses responses, as a client receives them. Whether a response has a body depends on
/// the request: call expect_response_to("HEAD") before a response to a HEAD request (and
/// "CONNECT" for a tunnel), since nothing in the response says so (RFC 9112 §6.3).
///   ResponseParser p; p.expect_response_to("HEAD"); p.feed(bytes);
class ResponseParser : public MessageParser {
 public:
  explicit ResponseParser(const ParserLimits& limits = {});
  /// The method of the request the next final response answers; it applies until that
  /// response ends (1xx responses before it included), then GET is assumed again.
  void expect_response_to(std::string_view method);
  /// The head of the current response, valid from its `head` event until the next feed()
  /// after its `end`. Interim (1xx) responses come as messages of their own.
  const Response& response() const noexcept;
  void set_max_interim_responses(std::size_t responses) noexcept;
};

}  // namespace wire::http
