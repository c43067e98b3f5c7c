// SPDX-License-Identifier: MIT
// A command line of FTP or SMTP, `VERB [SP argument] CRLF` (RFC 959 §4.1, RFC 5321 §4.1.1),
// and its encoding for clients.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace wire::dialogue {

/// One command as a server receives it: the verb in upper case and the argument exactly as
/// sent (everything after the SP that follows the verb; FTP path names may hold spaces).
///   Command c = parser.command();   if (c.verb == "RETR") open(c.arg);
struct Command {
  std::string verb;
  std::string arg;

  bool operator==(const Command&) const = default;
};

/// Appends `verb CRLF`, or `verb SP arg CRLF` when `arg` is not empty, to `out`.
///   encode_command(out, "CWD", "my files");   // "CWD my files\r\n"
/// @throws LocalError (Errc::invalid_verb, Errc::invalid_argument) before a byte is written,
/// if the verb is empty or not only ASCII letters, or the argument has CR, LF or NUL: such a
/// byte would end the line early and let the rest pass as another command.
void encode_command(std::string& out, std::string_view verb, std::string_view arg = {});

/// Appends `verb`, then SP and each argument in turn, then CRLF: SMTP's parameters.
///   encode_command(out, "MAIL", {"FROM:<a@example.org>", "SIZE=1000"});
/// @throws LocalError before a byte is written, as above.
void encode_command(std::string& out, std::string_view verb, std::initializer_list<std::string_view> args);
void encode_command(std::string& out, std::string_view verb, std::span<const std::string_view> args);

/// The same checks, reporting a refusal in `ec` (out unchanged) instead of throwing.
void encode_command(std::string& out, std::string_view verb, std::string_view arg, std::error_code& ec);
void encode_command(std::string& out, std::string_view verb, std::span<const std::string_view> args,
                    std::error_code& ec);

}  // namespace wire::dialogue
