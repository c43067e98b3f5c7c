// SPDX-License-Identifier: MIT
// The sans-I/O command parser of the line dialogue (server side): bytes in, Command values out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/dialogue/command.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/dialogue/syntax.hpp"

namespace wire::dialogue {

/// What a CommandParser accepts.
struct CommandLimits {
  /// One command line with its CRLF, in bytes. A longer line is refused (Errc::line_too_long)
  /// as soon as it passes the limit, and skipped to its CRLF without being stored. RFC 5321
  /// §4.5.3.1.4 sets 512 for SMTP before extensions; FTP names none, and a path may be
  /// PATH_MAX (4096) bytes.
  std::size_t max_line_length = 8 * 1024;
  /// Whether an LF without a CR before it ends a command line. Off by default: RFC 5321 §2.3.8
  /// says no other sequence than CRLF may be recognised as a line end, and a server that frames
  /// lines differently from a proxy or filter in front of it can be made to see commands the
  /// other did not (the SMTP smuggling attacks of 2023). Off, a line holding a bare LF is
  /// refused whole (Errc::bare_lf) at its CRLF. An FTP server may turn it on for clients typed
  /// by hand.
  bool accept_bare_lf = false;
};

/// What CommandParser::next() reports.
struct CommandEvent {
  enum Kind : std::uint8_t {
    need_more,  ///< no complete line until feed() gets more bytes
    command,    ///< a command line: CommandParser::command() holds it
    bad_line,   ///< a line that is refused (`error` says why); it is skipped up to its CRLF,
                ///< and parsing goes on with the next line: answer 500 and carry on
  };
  Kind kind = need_more;
  std::error_code error;  ///< for bad_line
};

/// Parses the command lines a server receives, one at a time, pipelined or not.
///
///   CommandParser parser(Syntax::ftp);
///   std::size_t n = parser.feed(buffer);   // stops after each command or refused line
///   CommandEvent ev = parser.next();
///   if (ev.kind == CommandEvent::command) run(parser.command());
///   else if (ev.kind == CommandEvent::bad_line) answer(500, ev.error.message());
///   buffer.erase(0, n);
///
/// Rules (RFC 959 §4.1, §5.3; RFC 5321 §2.3.8, §4.1.1): a line ends only at CRLF (see
/// CommandLimits::accept_bare_lf). A line is a verb of ASCII letters, normalised to upper
/// case, then the line end or SP and the argument: everything after that SP, kept byte for
/// byte (spaces at either end and UTF-8 included). A line that is empty, or whose verb has
/// other characters, or is followed by anything but SP, is refused (Errc::malformed_command);
/// so is a line with a bare CR (Errc::bare_cr), a bare LF (Errc::bare_lf) or NUL
/// (Errc::nul_byte). A refusal is reported at the byte that shows it, so a server can answer
/// before the rest arrives; the rest of the line is skipped.
///
/// With Syntax::ftp, bytes 0xF0-0xFF before the verb are dropped: they are Telnet's IAC and
/// its commands, which clients send as IP and Synch before ABOR, STAT or QUIT (RFC 959
/// §4.1.3, RFC 854: IAC IP IAC DM). A server keeps them in the stream with SO_OOBINLINE, or
/// the urgent byte goes missing and the line start is IAC IP IAC. No byte after the verb
/// is touched: 0xFF does not occur in UTF-8, and Latin-1 names keep theirs.
///
/// No refusal is sticky: CRLF frames the next line whatever the last one held.
class CommandParser {
 public:
  explicit CommandParser(Syntax syntax, const CommandLimits& limits = {});

  /// Parses `bytes` up to the next event and returns how many it used (at least one byte for
  /// each event). Returns 0 after feed_eof(). Calling feed() while next() still has an event
  /// is a logic error (std::logic_error).
  std::size_t feed(std::string_view bytes);
  std::size_t feed(std::span<const std::byte> bytes);
  /// The client closed the connection: a line begun and not ended is a bad_line
  /// (Errc::truncated_command). feed() takes no more.
  void feed_eof();
  /// The next event; need_more when there is none until more bytes arrive.
  CommandEvent next();

  /// The command reported by the last `command` event, valid until the next feed().
  const Command& command() const noexcept { return command_; }

  Syntax syntax() const noexcept { return syntax_; }
  const CommandLimits& limits() const noexcept { return limits_; }

 private:
  void refuse(Errc e);
  void end_line();

  Syntax syntax_;
  CommandLimits limits_;
  std::string line_;        // the current line without its end
  bool cr_ = false;         // the last byte was a CR
  bool skipping_ = false;   // the current line was refused: skip to its end
  bool eof_ = false;
  CommandEvent pending_;
  Command command_;
};

}  // namespace wire::dialogue
