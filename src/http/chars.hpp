// SPDX-License-Identifier: MIT
// Character classes of RFC 9110 and RFC 3986, shared by the wire::http sources.
#pragma once

namespace wire::http::detail {

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr int hex_value(char c) noexcept {
  return is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
}
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//                          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
constexpr bool is_tchar_slow(char c) noexcept {
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return is_alpha(c) || is_digit(c);
  }
}
// One load per byte on the hot paths (field names of every request and response).
struct TcharTable {
  bool is[256] = {};
  constexpr TcharTable() {
    for (int i = 0; i < 256; ++i) is[i] = is_tchar_slow(static_cast<char>(i));
  }
};
inline constexpr TcharTable tchar_table{};
constexpr bool is_tchar(char c) noexcept { return tchar_table.is[static_cast<unsigned char>(c)]; }

// RFC 9110 §5.5: a field value is made of VCHAR, obs-text (0x80-0xFF), SP and HTAB.
constexpr bool is_field_char(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

// RFC 3986 §2.3 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
constexpr bool is_unreserved(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
// RFC 3986 §2.2 sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
constexpr bool is_sub_delim(char c) noexcept {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
    case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}
// RFC 3986 §3.3 pchar = unreserved / pct-encoded / sub-delims / ":" / "@" (without the '%')
constexpr bool is_pchar(char c) noexcept {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
}

}  // namespace wire::http::detail
