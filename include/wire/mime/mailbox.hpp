// SPDX-License-Identifier: MIT
// Mailboxes and address lists (RFC 5322 §3.4): what From, To, Cc and Reply-To hold.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace wire::mime {

/// A display name and an address (an addr-spec, "local-part@domain").
///   Mailbox m{"Anna Müller", "anna@example.com"};
///   format_mailbox(m);  // "=?utf-8?q?Anna_M=C3=BCller?= <anna@example.com>"
struct Mailbox {
  std::string name;     ///< the display name in UTF-8; may be empty
  std::string address;  ///< the addr-spec, as it goes into SMTP's MAIL FROM and RCPT TO
  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

/// True if `address` is an addr-spec (RFC 5322 §3.4.1) as a program would pass one: a
/// dot-atom or quoted-string local part of at most 64 octets, "@", a dot-atom or
/// domain-literal domain of at most 255 (RFC 5321 §4.5.3.1), no comments or white space
/// outside quotes. UTF-8 is allowed where atext is (RFC 6532 §3.2): see needs_smtputf8().
bool is_valid_address(std::string_view address) noexcept;

/// True if `address` holds UTF-8 (a non-ASCII local part or domain): it can be sent only to a
/// server that offers SMTPUTF8 (RFC 6531), and the message's header then holds raw UTF-8.
bool needs_smtputf8(std::string_view address) noexcept;

/// A mailbox as it is written in a header field after "Name: " (`name_length` is the field
/// name's length, for folding): "Name <address>", or the address alone when there is no name.
/// @throws std::invalid_argument if the address is not valid or the name holds CR, LF or NUL,
///   or is not UTF-8.
std::string format_mailbox(const Mailbox& mailbox, std::size_t name_length = 2);
/// Mailboxes separated by ", " (the writer folds after the commas).
std::string format_address_list(std::span<const Mailbox> mailboxes, std::size_t name_length = 2);

/// Parses an address list (RFC 5322 §3.4, with the obsolete forms of §4.4 a reader must
/// accept: routes, empty elements, phrases with dots, CFWS around dots): names are decoded
/// (RFC 2047 encoded-words, quoted-pairs) into UTF-8, comments dropped, groups flattened into
/// their members, and addresses normalised ("\"john\"@x" is john@x).
///   parse_address_list("Anna <a@x.org>, team: b@y.org, (boss) c@z.org;")  // three mailboxes
/// @throws Error (Errc::bad_address) if the value does not parse.
std::vector<Mailbox> parse_address_list(std::string_view value);
/// The same, reporting failure in `ec` (Errc::bad_address) instead of throwing.
std::vector<Mailbox> parse_address_list(std::string_view value, std::error_code& ec);

/// Parses exactly one mailbox ("Anna <a@x.org>" or "a@x.org"), as a program takes one from
/// its user. @throws Error (Errc::bad_address) if it is not exactly one mailbox.
Mailbox parse_mailbox(std::string_view value);

}  // namespace wire::mime
