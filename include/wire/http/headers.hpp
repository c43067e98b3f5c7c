// SPDX-License-Identifier: MIT
// wire::http's header fields: the shared field list (wire::text::Headers) and the rules of
// RFC 9110 §5 for what may be sent as a field name and value.
#pragma once

#include <string_view>

#include "wire/text/chars.hpp"
#include "wire/text/headers.hpp"

namespace wire::http {

using text::Headers;
using text::iequals;
using text::is_token;
using text::trim_ows;

/// A field name is a token (RFC 9110 §5.1).
inline bool is_valid_field_name(std::string_view s) noexcept { return is_token(s); }

/// True if `s` may be sent as a field value (RFC 9110 §5.5): no CR, LF, NUL or other control
/// character but HTAB, and no leading or trailing whitespace (which a recipient would strip,
/// so the value would not arrive as sent). Empty is valid.
constexpr bool is_valid_field_value(std::string_view s) noexcept {
  if (!s.empty() && (text::is_ows(s.front()) || text::is_ows(s.back()))) return false;
  for (char c : s) {
    if (!text::is_field_char(c)) return false;
  }
  return true;
}

}  // namespace wire::http
