// SPDX-License-Identifier: MIT
// wire::ftp errors: what was wrong with an FTP reply, command argument or listing line, as
// values and as exceptions.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

#include "wire/dialogue/error.hpp"

namespace wire::ftp {

/// Why the FTP codec refused something. Compare with `ec == wire::ftp::Errc::bad_pasv_reply`.
/// The codes up to `bad_facts` describe what the peer sent; `unrepresentable_name` is the
/// caller's (a server's) own name that cannot be sent.
enum class Errc {
  unexpected_code = 1,   ///< a reply with another code than the one the command succeeds with (e.g. 200 to PASV)
  bad_pasv_reply,        ///< a 227 reply without h1,h2,h3,h4,p1,p2 (each 0-255, the port not 0)
  bad_epsv_reply,        ///< a 229 reply without (|||port|) (RFC 2428 §3)
  bad_port_argument,     ///< PORT's argument is not h1,h2,h3,h4,p1,p2 with a port not 0 (answer 501)
  bad_eprt_argument,     ///< EPRT's argument is not |proto|address|port| (RFC 2428 §2; answer 501)
  unsupported_protocol,  ///< EPRT for a network protocol other than 1 (IPv4) and 2 (IPv6) (answer 522)
  bad_size_reply,        ///< a 213 reply to SIZE that is not a decimal number (RFC 3659 §4)
  bad_time_val,          ///< not a time-val YYYYMMDDHHMMSS[.fraction] of a real date (RFC 3659 §2.3)
  bad_path_reply,        ///< a 257 reply without a quoted path name (RFC 959 Appendix II)
  bad_restart_marker,    ///< REST's argument is not a decimal byte count (RFC 3659 §5; answer 501)
  bad_facts,             ///< an MLSD or MLST entry that is not `facts SP name` (RFC 3659 §7)
  unrepresentable_name,  ///< (caller) a name with CR, LF or NUL, which no listing line can carry
  resume_past_end,       ///< (caller) a resumed download's local file is longer than the server's (SIZE)
};

/// The category of wire::ftp::Errc values; its name() is "ftp".
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), error_category()}; }

/// An FTP protocol error as an exception, for the Python-style calls. It is a dialogue::Error
/// (a std::system_error whose what() is the message as given), so one catch sees every
/// violation of the line dialogue, FTP's own included.
///   try { auto where = ftp::parse_pasv_reply(reply); } catch (const ftp::Error& e) { e.code(); }
class Error : public dialogue::Error {
 public:
  using dialogue::Error::Error;
  Error(Errc code, const std::string& what) : dialogue::Error(make_error_code(code), what) {}
};

/// A server's refusal: the 4yz or 5yz reply (or a reply of the wrong kind) a client's command
/// got, with its code and text, as Python's ftplib raises error_temp and error_perm.
///   try { ftp.cwd("missing"); } catch (const ftp::ReplyError& e) { e.code() == 550; }
/// what() names the server and the command: `FTP 127.0.0.1:21: CWD missing: 550 No such directory`.
class ReplyError : public std::runtime_error {
 public:
  ReplyError(int code, std::string text, const std::string& what)
      : std::runtime_error(what), code_(code), text_(std::move(text)) {}
  /// `command` is the verb refused ("RETR", "PASS"), or "greeting" for the server's first reply.
  ReplyError(int code, std::string text, std::string command, const std::string& what)
      : std::runtime_error(what), code_(code), text_(std::move(text)), command_(std::move(command)) {}

  /// The reply code, 100-599.
  int code() const noexcept { return code_; }
  /// The verb the reply answered ("RETR", "USER", "greeting"); empty if the thrower did not say.
  const std::string& command() const noexcept { return command_; }
  /// The reply's text, its lines joined with "\n".
  const std::string& text() const noexcept { return text_; }
  /// A 4yz reply: the command may succeed if tried again later (RFC 959 §4.2.1).
  bool transient() const noexcept { return code_ / 100 == 4; }

 private:
  int code_;
  std::string text_;
  std::string command_;
};

}  // namespace wire::ftp

template <>
struct std::is_error_code_enum<wire::ftp::Errc> : std::true_type {};
