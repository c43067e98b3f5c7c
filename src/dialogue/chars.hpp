// SPDX-License-Identifier: MIT
// The ASCII character classes the dialogue sources need.
// TODO(text): replace with wire/text/chars.hpp once wire::text is on main.
#pragma once

#include <string_view>

namespace wire::dialogue::detail {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr char upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// CR, LF or NUL: the bytes that may never appear inside a line of the dialogue, since CR and
// LF would end it early and NUL ends strings in C servers (RFC 959 §4.1, RFC 5321 §2.3.8).
constexpr bool breaks_line(std::string_view s) noexcept {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace wire::dialogue::detail
