// SPDX-License-Identifier: MIT
// A 3-digit reply of FTP or SMTP (RFC 959 §4.2, RFC 5321 §4.2), and its encoding for servers.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/dialogue/syntax.hpp"

namespace wire::dialogue {

/// One reply: its code and the text of each of its lines (after the code and the SP or "-";
/// a line of an FTP multi-line reply that carries no code is kept whole).
///   Reply r = parser.reply();   if (r.positive_completion()) use(r.text());
struct Reply {
  int code = 0;
  std::vector<std::string> lines;

  /// The lines joined with "\n".
  std::string text() const;

  // RFC 959 §4.2.1 and RFC 5321 §4.2.1, by the first digit.
  bool positive_preliminary() const noexcept { return code / 100 == 1; }   ///< 1yz: another reply follows
  bool positive_completion() const noexcept { return code / 100 == 2; }    ///< 2yz: done
  bool positive_intermediate() const noexcept { return code / 100 == 3; }  ///< 3yz: send the next part
  bool transient_negative() const noexcept { return code / 100 == 4; }     ///< 4yz: failed, may work later
  bool permanent_negative() const noexcept { return code / 100 == 5; }     ///< 5yz: failed
  bool negative() const noexcept { return code >= 400; }                  ///< 4yz or 5yz

  bool operator==(const Reply&) const = default;
};

/// Appends a one-line reply, `code SP text CRLF`, to `out` (a server's side).
///   encode_reply(out, 200, "Command okay.");   // "200 Command okay.\r\n"
/// @throws LocalError (Errc::invalid_reply_code, Errc::invalid_argument) before writing
/// anything, if the code is not 100-599 or the text has CR, LF or NUL.
void encode_reply(std::string& out, int code, std::string_view text);

/// Appends a reply of one or more lines. With Syntax::smtp every line but the last is
/// `code-text`; with Syntax::ftp the first is `code-text`, the lines between are written as
/// given (FEAT and MLST replies need lines that begin with SP, RFC 2389 §3.2, RFC 3659 §7.2),
/// with one SP put before a line that begins with a digit so that it cannot be taken for the
/// last line (RFC 959 §4.2). The last line is `code SP text`. No lines is one empty line.
///   encode_reply(out, Syntax::ftp, 211, {"Features:", " EPSV", " UTF8", "End"});
/// @throws LocalError before writing anything, as the one-line form.
void encode_reply(std::string& out, Syntax syntax, int code, std::span<const std::string_view> lines);
void encode_reply(std::string& out, Syntax syntax, int code, std::initializer_list<std::string_view> lines);
/// The same, reporting a refusal in `ec` (out unchanged) instead of throwing: for a server
/// that puts names from its file system into replies.
void encode_reply(std::string& out, Syntax syntax, int code, std::span<const std::string_view> lines,
                  std::error_code& ec);

}  // namespace wire::dialogue
