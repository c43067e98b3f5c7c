// SPDX-License-Identifier: MIT
// The SMTP envelope: MAIL FROM and RCPT TO with their parameters (RFC 5321 §4.1.1.2-3,
// §4.1.2; SIZE RFC 1870, BODY RFC 6152, SMTPUTF8 RFC 6531, DSN RFC 3461), written by the
// client and parsed by the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wire::smtp {

/// Delivery status notifications asked for (RFC 3461). Sent only to a server that offers DSN.
struct DsnRequest {
  std::string ret{};     ///< "FULL" or "HDRS" (RFC 3461 §4.3), or empty
  std::string envid{};   ///< an envelope id, any ASCII (sent as xtext, §4.4), or empty
  std::string notify{};  ///< "NEVER" or a comma list of SUCCESS, FAILURE, DELAY (§4.1), or empty
  bool orcpt = false;  ///< add ORCPT=rfc822;<address> to each RCPT (§4.2)
};

/// Who a message is from and to, and how it is sent.
///   Envelope env{.from = "anna@example.com", .to = {"bob@example.org"}};
struct Envelope {
  std::string from{};             ///< the reverse-path; empty is the null path <> (bounces)
  std::vector<std::string> to{};  ///< the forward-paths, one RCPT each
  bool eight_bit = false;       ///< BODY=8BITMIME (RFC 6152): the data has 8-bit bytes
  bool smtputf8 = false;        ///< SMTPUTF8 (RFC 6531); set anyway when an address holds UTF-8
  DsnRequest dsn{};
};

/// RFC 3461 §4 xtext: "+" and bytes outside "!".."~", and "=", as "+XX".
std::string encode_xtext(std::string_view text);
/// The reverse; nullopt for a malformed "+XX".
std::optional<std::string> decode_xtext(std::string_view xtext);

/// Whether `address` may go into MAIL FROM or RCPT TO: an RFC 5321 mailbox (dot-string or
/// quoted local part, domain or address literal), printable, no CR, LF, NUL, "<" or ">"
/// outside quotes; UTF-8 only with `utf8` (RFC 6531 §3.3).
bool is_valid_path_address(std::string_view address, bool utf8) noexcept;
/// Whether the address holds a byte over 0x7F.
bool is_utf8_address(std::string_view address) noexcept;

/// The argument of MAIL: "FROM:<address>" and the parameters, one string each, for
/// dialogue::encode_command(out, "MAIL", args).
/// @throws std::invalid_argument for an address that may not be sent (see is_valid_path_address),
///   before anything is written.
std::vector<std::string> mail_arguments(std::string_view from, std::optional<std::uint64_t> size, bool eight_bit,
                                        bool smtputf8, const DsnRequest* dsn);
/// The argument of RCPT: "TO:<address>" and the DSN parameters (when `dsn` is given).
/// @throws std::invalid_argument as mail_arguments().
std::vector<std::string> rcpt_arguments(std::string_view to, bool smtputf8, const DsnRequest* dsn);

/// A MAIL or RCPT argument as a server reads it: the address (without "<>", the obsolete
/// source route dropped) and the ESMTP parameters (keywords upper-cased, values as sent).
struct PathArgument {
  std::string address{};
  std::vector<std::pair<std::string, std::string>> params{};
  /// The value of a parameter; nullopt if absent ("" for a keyword without "=").
  std::optional<std::string_view> param(std::string_view keyword) const noexcept;
};

/// Why a MAIL or RCPT argument did not parse.
enum class PathErrc : std::uint8_t {
  ok,
  bad_syntax,   ///< not "FROM:<path>" / "TO:<path>" and parameters (501)
  bad_address,  ///< the path's address is not a mailbox (553, RFC 5321 §4.2.2)
  bad_param,    ///< a parameter that is not keyword[=value] (501)
};

/// Parses `arg` of MAIL (`prefix` "FROM:") or RCPT ("TO:"), RFC 5321 §4.1.2: the prefix in
/// any case, then (tolerated, as most servers do) spaces, then "<path>", then SP-separated
/// parameters. `utf8` allows a UTF-8 address (SMTPUTF8). An empty path "<>" is allowed only
/// for MAIL.
PathErrc parse_path_argument(std::string_view arg, std::string_view prefix, bool utf8, PathArgument& out);

}  // namespace wire::smtp
