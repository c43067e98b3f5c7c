// SPDX-License-Identifier: MIT
// The FTP codec: the arguments and replies of single FTP commands, both sides, sans-I/O.
//
// RFCs: 959 (FTP: PASV, PORT, 257 path names in Appendix II), 1123 §4.1.2.6 (reading 227),
// 2428 (EPSV, EPRT), 3659 (SIZE, MDTM, REST STREAM; time-val through wire/text/date.hpp).
// Directory listings are in mlsx_entry.hpp and list_entry.hpp, the FEAT reply in features.hpp.
//
// The client side parses replies: each parser takes the dialogue::Reply and checks its code
// (another code is Errc::unexpected_code), and comes in two forms, one throwing ftp::Error,
// one filling a std::error_code. The server side parses command arguments (error_code form,
// the error naming the reply to give) and formats reply text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/dialogue/reply.hpp"
#include "wire/ftp/error.hpp"

namespace wire::ftp {

/// Where a data connection goes: what a 227 reply or a PORT/EPRT command names.
///   HostPort where = parse_pasv_reply(reply);   // {"192.0.2.7", 50123}
struct HostPort {
  std::string host;        ///< IPv4 in dotted decimal, or IPv6 as EPRT gave it (checked)
  std::uint16_t port = 0;  ///< never 0

  bool operator==(const HostPort&) const = default;
};

// --- passive mode: PASV (227) and EPSV (229) -------------------------------------------------

/// The address and port of a 227 reply. RFC 1123 §4.1.2.6: the numbers may stand anywhere in
/// the text, with or without parentheses; the first run `h1,h2,h3,h4,p1,p2` (each 0-255) is
/// taken. A client should connect to the control connection's peer, not to this host (a
/// server, or a man in the middle, can name any address: CVE-2021-4189, CVE-2020-8284).
/// @throws Error (Errc::unexpected_code, Errc::bad_pasv_reply)
HostPort parse_pasv_reply(const dialogue::Reply& reply);
HostPort parse_pasv_reply(const dialogue::Reply& reply, std::error_code& ec);

/// The port of a 229 reply: `(<d><d><d>port<d>)` with any delimiter d in 33-126 (RFC 2428 §3).
/// @throws Error (Errc::unexpected_code, Errc::bad_epsv_reply)
std::uint16_t parse_epsv_reply(const dialogue::Reply& reply);
std::uint16_t parse_epsv_reply(const dialogue::Reply& reply, std::error_code& ec);

/// A server's 227 text: `Entering Passive Mode (h1,h2,h3,h4,p1,p2).`
/// @throws std::invalid_argument if `ipv4` is not a dotted-decimal IPv4 address or port is 0.
std::string pasv_reply_text(std::string_view ipv4, std::uint16_t port);
/// A server's 229 text: `Entering Extended Passive Mode (|||port|)` (RFC 2428 §3).
std::string epsv_reply_text(std::uint16_t port);

// --- active mode: PORT and EPRT --------------------------------------------------------------

/// PORT's argument, `h1,h2,h3,h4,p1,p2` (RFC 959 §4.1.2).
///   encode_command(out, "PORT", port_argument("192.0.2.7", 50123));  // PORT 192,0,2,7,195,203
/// @throws std::invalid_argument if `ipv4` is not a dotted-decimal IPv4 address or port is 0.
std::string port_argument(std::string_view ipv4, std::uint16_t port);
/// EPRT's argument, `|1|address|port|` for IPv4, `|2|address|port|` for IPv6 (RFC 2428 §2).
/// @throws std::invalid_argument if `host` is not an IP address or port is 0.
std::string eprt_argument(std::string_view host, std::uint16_t port);

/// A server reads PORT's argument: exactly six decimal numbers 0-255 separated by commas, the
/// port not 0. Errc::bad_port_argument. Where the address may be (the control connection's
/// peer only, against FTP bounce) is the server's rule, not the codec's.
HostPort parse_port_argument(std::string_view arg, std::error_code& ec);
/// A server reads EPRT's argument: `<d>proto<d>address<d>port<d>`, d any of 33-126, proto 1
/// with an IPv4 address or 2 with an IPv6 one. Errc::bad_eprt_argument, or
/// Errc::unsupported_protocol for another proto (RFC 2428 §2: answer 522).
HostPort parse_eprt_argument(std::string_view arg, std::error_code& ec);

// --- SIZE, MDTM, REST ------------------------------------------------------------------------

/// The size in a 213 reply to SIZE (RFC 3659 §4.2). @throws Error (Errc::bad_size_reply)
std::uint64_t parse_size_reply(const dialogue::Reply& reply);
std::uint64_t parse_size_reply(const dialogue::Reply& reply, std::error_code& ec);

/// The time in a 213 reply to MDTM (RFC 3659 §3.2): a time-val, UTC, as seconds since the Unix
/// epoch like every date of wire::text (a fraction of a second is dropped).
/// @throws Error (Errc::bad_time_val)
std::int64_t parse_mdtm_reply(const dialogue::Reply& reply);
std::int64_t parse_mdtm_reply(const dialogue::Reply& reply, std::error_code& ec);
/// A server's 213 text for MDTM: `YYYYMMDDHHMMSS` (text::format_time_val).
std::string mdtm_reply_text(std::int64_t unix_seconds);

/// A server reads REST's argument in STREAM mode: the byte offset to restart at, decimal
/// digits only (RFC 3659 §5.3). Errc::bad_restart_marker.
std::uint64_t parse_rest_argument(std::string_view arg, std::error_code& ec);

// --- 257 (PWD, MKD) --------------------------------------------------------------------------

/// The path name of a 257 reply: `257 "/a ""quoted"" dir" created` gives `/a "quoted" dir`
/// (RFC 959 Appendix II: the name is quoted, a quote inside it doubled). The bytes are kept as
/// sent (UTF-8 per RFC 2640). @throws Error (Errc::unexpected_code, Errc::bad_path_reply)
std::string parse_path_reply(const dialogue::Reply& reply);
std::string parse_path_reply(const dialogue::Reply& reply, std::error_code& ec);
/// A path name quoted for a server's 257 reply: `"` + the name with each `"` doubled + `"`.
///   encode_reply(out, 257, quote_path(cwd) + " is the current directory");
std::string quote_path(std::string_view path);

}  // namespace wire::ftp
