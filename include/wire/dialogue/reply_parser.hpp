// SPDX-License-Identifier: MIT
// The sans-I/O reply parser of the line dialogue (client side): bytes in, Reply values out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/dialogue/error.hpp"
#include "wire/dialogue/reply.hpp"
#include "wire/dialogue/syntax.hpp"

namespace wire::dialogue {

/// What a ReplyParser accepts, in bytes on the wire. A value at a limit passes; one more byte
/// (or line) is an error naming the limit.
struct ReplyLimits {
  /// One line with its line end. Errc::line_too_long.
  std::size_t max_line_length = 8 * 1024;
  /// The lines of one reply. Errc::too_many_lines.
  std::size_t max_lines = 1000;
  /// The lines of one reply with their line ends. Errc::reply_too_large. A STAT listing
  /// of a large directory comes as one reply: raise the three limits to read one.
  std::size_t max_reply_bytes = 256 * 1024;
  /// Whether an LF without a CR before it ends a reply line. RFC 959 and RFC 5321 say CRLF;
  /// a client reads replies from the server it chose, with no second parser on the path that
  /// could frame them differently, so accepting LF alone (as Python's ftplib and smtplib,
  /// and curl, do) costs nothing and reads the servers that send it. Off: Errc::bare_lf.
  /// A CR not followed by LF is always an error (Errc::bare_cr).
  bool accept_bare_lf = true;
};

/// What ReplyParser::next() reports.
struct ReplyEvent {
  enum Kind : std::uint8_t {
    need_more,  ///< no complete reply until feed() gets more bytes (or feed_eof() is called)
    reply,      ///< a reply is complete: reply() holds it
    error,      ///< the bytes are not a valid reply; error() says why. Sticky.
  };
  Kind kind = need_more;
};

/// Parses the replies a client receives, single-line and multi-line (RFC 959 §4.2,
/// RFC 5321 §4.2.1), following the shape of every wire codec: feed() returns the bytes it
/// consumed, next() the event they completed, and an error is sticky.
///
///   ReplyParser parser(Syntax::ftp);
///   std::size_t n = parser.feed(buffer);        // stops after each complete reply
///   if (parser.next().kind == ReplyEvent::reply) use(parser.reply());
///   buffer.erase(0, n);                         // then feed the rest, or read more
///
/// feed() stops after each reply, so what follows it stays with the caller: after the reply
/// to STARTTLS or AUTH TLS, bytes left in the buffer were sent before the TLS handshake and
/// must be refused, never read as replies of the encrypted session.
///
/// Rules: a line ends at CRLF (or LF alone, ReplyLimits::accept_bare_lf); a CR not followed
/// by LF and a NUL byte are errors. The first line is three digits, the first 1-5, then SP
/// (the last line), "-" (more lines follow) or the line end (a reply with no text, which some
/// servers send). In a multi-line reply:
/// - Syntax::ftp: the reply ends at a line of the same code followed by SP or the line end;
///   a line `code-text` continues it (its text is kept without the prefix); any other line is
///   text kept whole, except a line of three digits and SP with another code: RFC 959 asks
///   servers to pad such lines, so it is an unpadded line or a wrong last line, and either way
///   where the reply ends is unknown (Errc::code_mismatch).
/// - Syntax::smtp: every line is the same code and "-", SP or the line end (Errc::malformed_reply,
///   Errc::code_mismatch).
/// The text of a line is kept byte for byte (UTF-8 included).
class ReplyParser {
 public:
  explicit ReplyParser(Syntax syntax, const ReplyLimits& limits = {});

  /// Parses `bytes` up to the end of the next reply and returns how many it used. Returns 0
  /// after an error or feed_eof(). Calling feed() while next() still has a reply to report
  /// is a logic error (std::logic_error).
  std::size_t feed(std::string_view bytes);
  std::size_t feed(std::span<const std::byte> bytes);
  /// The server closed the connection: inside a reply that is Errc::truncated_reply; between
  /// replies it changes nothing but that feed() takes no more.
  void feed_eof();
  /// The next event; need_more when there is none until more bytes arrive.
  ReplyEvent next();

  /// The reply reported by the last `reply` event, valid until the next feed().
  const Reply& reply() const noexcept { return reply_; }
  /// Moves the reply out (the parser's copy is left empty).
  Reply take_reply() noexcept { return std::move(reply_); }
  /// The error that stopped the parser, or {}.
  std::error_code error() const noexcept { return error_; }
  /// Whether bytes of a reply not yet complete have been consumed.
  bool in_reply() const noexcept;

  Syntax syntax() const noexcept { return syntax_; }
  const ReplyLimits& limits() const noexcept { return limits_; }

 private:
  // The outcome of a complete line.
  Errc end_line(std::size_t terminator);
  void fail(Errc e) noexcept;

  Syntax syntax_;
  ReplyLimits limits_;
  std::string line_;             // the current line without its end
  bool cr_ = false;              // a CR ended line_; its LF has not arrived
  bool multiline_ = false;       // the first line of a multi-line reply has been read
  bool ready_ = false;           // reply_ is complete and next() has not reported it
  bool reported_ = false;        // reply_ was reported; the next feed() starts a new one
  bool eof_ = false;
  std::size_t reply_bytes_ = 0;  // bytes of the current reply so far, line ends included
  Reply reply_;
  std::error_code error_;
};

}  // namespace wire::dialogue
