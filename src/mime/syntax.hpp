// SPDX-License-Identifier: MIT
// Private: the lexical pieces the MIME structured fields share (RFC 2045 §5.1, RFC 5322 §3.2.2).
#pragma once

#include <cstddef>
#include <string_view>

#include "wire/text/chars.hpp"

namespace wire::mime::detail {

// RFC 5322 §3.2.3 atext (ASCII; RFC 6532 adds UTF-8, which the address parser allows).
constexpr bool is_atext(char c) noexcept {
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return text::is_alpha(c) || text::is_digit(c);
  }
}

// RFC 2045 §5.1 tspecials
constexpr bool is_tspecial(char c) noexcept {
  switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\':
    case '"': case '/': case '[': case ']': case '?': case '=':
      return true;
    default:
      return false;
  }
}

// RFC 2045 §5.1 token characters: printable ASCII but tspecials.
constexpr bool is_mime_token_char(char c) noexcept { return text::is_vchar(c) && !is_tspecial(c); }

// Skips white space and comments (nested, with quoted-pairs) from s[i]; an unclosed comment
// runs to the end.
inline void skip_cfws(std::string_view s, std::size_t& i) noexcept {
  while (i < s.size()) {
    if (text::is_ows(s[i])) {
      ++i;
    } else if (s[i] == '(') {
      int depth = 0;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '\\') {
          if (i < s.size()) ++i;
        } else if (c == '(') {
          ++depth;
        } else if (c == ')' && --depth == 0) {
          break;
        }
      }
    } else {
      break;
    }
  }
}

// The MIME token at s[i] (possibly empty), moving i past it.
inline std::string_view read_token(std::string_view s, std::size_t& i) noexcept {
  std::size_t start = i;
  while (i < s.size() && is_mime_token_char(s[i])) ++i;
  return s.substr(start, i - start);
}

// The token at s[i] with the white space and comments around it, moving i past them all.
inline std::string_view read_token_cfws(std::string_view s, std::size_t& i) noexcept {
  skip_cfws(s, i);
  std::string_view token = read_token(s, i);
  skip_cfws(s, i);
  return token;
}

}  // namespace wire::mime::detail
