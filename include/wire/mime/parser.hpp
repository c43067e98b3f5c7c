// SPDX-License-Identifier: MIT
// wire::mime::MessageParser: a received message read as it arrives (what an SMTP server gets
// after DATA, or a file from a Maildir), without holding it whole: the header fields, the tree
// of parts, each part's decoded body in pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/mime/content_disposition.hpp"
#include "wire/mime/content_type.hpp"
#include "wire/mime/error.hpp"
#include "wire/text/headers.hpp"

namespace wire::mime {

/// The limits a MessageParser enforces. A value at the limit passes; one more is an error
/// naming it.
struct ParserLimits {
  std::size_t max_header_bytes = 64 * 1024;  ///< each header section (the message's, each part's): Errc::header_too_large
  std::size_t max_headers = 1000;            ///< fields in each header section: Errc::too_many_headers
  std::size_t max_parts = 1000;              ///< parts in the message, itself included: Errc::too_many_parts
  std::size_t max_depth = 20;                ///< how deep parts may lie (the message is 0): Errc::too_deep
  /// Bytes fed in all: Errc::message_too_large. The parser's memory does not grow with the
  /// message, so the default is no limit; a server sets its SIZE here.
  std::uint64_t max_message_bytes = std::numeric_limits<std::uint64_t>::max();
};

/// What a part's header says about it, given with its part_begin event.
struct PartInfo {
  text::Headers headers;        ///< as received, values unfolded (encoded-words not decoded)
  /// The media type: as given, or the default (RFC 2045 §5.2 text/plain; charset=us-ascii;
  /// message/rfc822 inside multipart/digest, RFC 2046 §5.1.5).
  ContentType content_type;
  bool content_type_invalid = false;  ///< a Content-Type was there but did not parse
  std::optional<ContentDisposition> disposition;
  std::string transfer_encoding = "7bit";  ///< lowercased
  /// A Content-Transfer-Encoding other than 7bit, 8bit, binary, quoted-printable and base64:
  /// the data events carry the body as it is.
  bool unknown_transfer_encoding = false;
  std::size_t depth = 0;  ///< 0 for the message, 1 for its parts, ...
  std::size_t index = 0;  ///< the part's number in the message in order of appearance (the message is 0)

  bool is_multipart() const noexcept { return content_type.is_multipart(); }
  /// The file name: Content-Disposition's filename, else Content-Type's name (decoded).
  std::optional<std::string> filename() const;
};

/// What MessageParser::next() reports.
enum class EventKind : std::uint8_t {
  need_more,   ///< nothing more until feed() or feed_eof()
  part_begin,  ///< a part (the message first) begins: Event::part says what it is
  data,        ///< decoded bytes of the current leaf part, in Event::data
  part_end,    ///< the part ends (a multipart after all its parts)
  end,         ///< the message is complete (after feed_eof())
  error,       ///< the message is malformed or over a limit; error() says why. Sticky.
};

/// One event. `data` and `part` stay valid until the next feed() or feed_eof().
struct Event {
  EventKind kind = EventKind::need_more;
  std::string_view data;
  const PartInfo* part = nullptr;  ///< the part a part_begin, data or part_end is about
};

/// Reads a message (RFC 5322, MIME) as it arrives: feed() bytes, then take next() events until
/// need_more. Parts come depth-first — part_begin, then a leaf's data or a multipart's parts,
/// then part_end — and feed_eof() ends the message (a message without a body is allowed).
/// Lines may end in CRLF or LF alone. Bodies are decoded (base64, quoted-printable; 7bit,
/// 8bit and binary as they are); message/rfc822 parts are leaves (parse their data with
/// another MessageParser). Memory stays bounded by the limits and by what one feed() gives,
/// not by the message: a 1 GiB attachment passes through in pieces.
///
///   MessageParser p;
///   p.feed(chunk);                              // each chunk as it arrives
///   for (Event e = p.next(); e.kind != EventKind::need_more; e = p.next()) {...}
///   p.feed_eof();                               // then the last events, `end` or `error`
///
/// Strict where a message is malformed beyond doubt (a header line without a colon, a
/// multipart without its close delimiter, base64 that does not decode), lenient where readers
/// agree (malformed Content-Type is text/plain, RFC 2045 §5.2; a stray '=' in
/// quoted-printable is kept, §6.7). Errors are sticky.
class MessageParser {
 public:
  explicit MessageParser(const ParserLimits& limits = {});
  ~MessageParser();
  MessageParser(MessageParser&&) noexcept;
  MessageParser& operator=(MessageParser&&) noexcept;

  /// Takes all of `bytes`. Calling it before next() has returned need_more (or error) is a
  /// logic error (std::logic_error): the events would be lost.
  void feed(std::string_view bytes);
  /// The message ended. Same precondition as feed().
  void feed_eof();
  /// The next event; need_more when there is none until more input.
  Event next();

  /// The error that stopped the parser, or {}.
  std::error_code error() const noexcept;
  /// The message's own header fields, from its part_begin on (also after the end).
  const text::Headers& headers() const noexcept;
  /// Bytes fed so far.
  std::uint64_t bytes_fed() const noexcept;
  const ParserLimits& limits() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wire::mime
