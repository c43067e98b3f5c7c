// SPDX-License-Identifier: MIT
// wire::dialogue errors: what was wrong with a reply or command line, as values and as
// exceptions. The peer's violations and the caller's own mistakes are told apart.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

#include "wire/error.hpp"

namespace wire::dialogue {

/// Why a line was refused. Compare with `ec == wire::dialogue::Errc::line_too_long`.
///
/// The codes up to `truncated_command` describe bytes received from the peer (a server's
/// reply, a client's command); the last three describe what the caller asked to send, and
/// are thrown as LocalError.
enum class Errc {
  malformed_reply = 1,  ///< a reply line without a 3-digit code (first digit 1-5) and SP, "-" or the line end
  code_mismatch,        ///< a line of a multi-line reply carries another code than its first line
  line_too_long,        ///< a line, its CRLF included, longer than the limit
  too_many_lines,       ///< a multi-line reply with more lines than the limit
  reply_too_large,      ///< a multi-line reply with more bytes than the limit
  bare_cr,              ///< a CR not followed by LF
  bare_lf,              ///< an LF without the CR before it, where CRLF is required
  nul_byte,             ///< a NUL byte in a line
  truncated_reply,      ///< the connection closed inside a reply
  unexpected_reply,     ///< a reply that answers nothing: no command was outstanding
  malformed_command,    ///< a command line that is not `verb [SP argument]`, the verb letters only
  truncated_command,    ///< the connection closed inside a command line
  invalid_verb,         ///< (caller) a verb that is empty or not only ASCII letters
  invalid_argument,     ///< (caller) CR, LF or NUL in a command argument or in reply text
  invalid_reply_code,   ///< (caller) a reply code outside 100-599
};

/// The category of wire::dialogue::Errc values; its name() is "dialogue".
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), error_category()}; }

/// A peer's violation of the line dialogue as an exception, for the Python-style calls.
///   try { ... } catch (const dialogue::Error& e) { e.code() == dialogue::Errc::code_mismatch; }
class Error : public wire::Error {
 public:
  using wire::Error::Error;
  Error(Errc code, const std::string& what) : wire::Error(make_error_code(code), what) {}
};

/// The caller asked to send something that would not be one well-formed line (CR, LF or NUL
/// in an argument, a verb that is not letters). Nothing was written.
///   try { encode_command(out, "RETR", name); } catch (const std::invalid_argument& e) { ... }
class LocalError : public std::invalid_argument {
 public:
  LocalError(Errc code, const std::string& what) : std::invalid_argument(what), code_(make_error_code(code)) {}
  std::error_code code() const noexcept { return code_; }

 private:
  std::error_code code_;
};

}  // namespace wire::dialogue

template <>
struct std::is_error_code_enum<wire::dialogue::Errc> : std::true_type {};
