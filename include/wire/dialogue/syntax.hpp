// SPDX-License-Identifier: MIT
// Which protocol's line rules a line-dialogue codec follows where FTP and SMTP differ.
#pragma once

#include <cstdint>

namespace wire::dialogue {

/// The protocol whose reply and command syntax applies. Everything else (3-digit codes,
/// CRLF lines, the limits) is the same for both.
///   ReplyParser parser(Syntax::smtp);
enum class Syntax : std::uint8_t {
  /// RFC 959 §4.2: in a multi-line reply only the first line (`123-`) and the last (`123 `)
  /// must carry the code; the lines between are free text. Commands may be preceded by the
  /// Telnet IP and Synch bytes a client sends before ABOR (RFC 959 §4.1.3).
  ftp,
  /// RFC 5321 §4.2.1: every line of a reply carries the same code (`250-` ... `250 `).
  smtp,
};

}  // namespace wire::dialogue
