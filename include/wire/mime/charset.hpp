// SPDX-License-Identifier: MIT
// The character sets a mail reader meets most, converted to UTF-8, and UTF-8 checked. wire
// keeps text in UTF-8 everywhere; a charset not known here is left to the caller as bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wire::mime {

/// True if every byte of `s` is below 0x80.
bool is_ascii(std::string_view s) noexcept;
/// True if `s` is well-formed UTF-8 (RFC 3629: shortest forms, no surrogates, at most U+10FFFF).
bool is_utf8(std::string_view s) noexcept;

/// True for the charsets to_utf8() converts: utf-8, us-ascii, iso-8859-1, iso-8859-15 and
/// windows-1252, under their usual names (case-insensitive: "UTF8", "latin1", "cp1252", ...).
bool is_known_charset(std::string_view charset) noexcept;

/// `bytes` in `charset` as UTF-8; what is not valid in the charset (bytes of 0x80 and above
/// in us-ascii, malformed UTF-8) becomes U+FFFD. nullopt if the charset is not known.
///   to_utf8("Gr\xfc\xdf" "e", "ISO-8859-1");  // "Grüße"
std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset);

}  // namespace wire::mime
