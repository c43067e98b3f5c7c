// SPDX-License-Identifier: MIT
// wire::text character classes: ASCII only, locale-independent, constexpr. The grammars of
// RFC 5234 (core rules), RFC 3986 (URIs) and RFC 9110 (HTTP tokens and field values), which
// every protocol of wire speaks on the wire whatever the C locale says.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wire::text {

constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
/// The value of a hex digit (precondition: is_hex(c)).
constexpr int hex_value(char c) noexcept {
  return is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
}
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char to_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
/// SP or HTAB: RFC 5234 WSP, RFC 9110 OWS.
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }
/// RFC 5234 VCHAR: visible ASCII, 0x21-0x7E.
constexpr bool is_vchar(char c) noexcept { return c > 0x20 && c < 0x7f; }
/// A control character (0x00-0x1F, 0x7F): what must never reach a protocol line from a caller.
constexpr bool is_control(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

namespace detail {
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
}  // namespace detail

/// RFC 9110 §5.6.2 tchar: the characters of methods, field names and other tokens.
constexpr bool is_tchar(char c) noexcept { return detail::tchar_table.is[static_cast<unsigned char>(c)]; }

/// RFC 9110 §5.5: a field value is made of VCHAR, obs-text (0x80-0xFF), SP and HTAB.
constexpr bool is_field_char(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

/// RFC 3986 §2.3 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
constexpr bool is_unreserved(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
/// RFC 3986 §2.2 sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
constexpr bool is_sub_delim(char c) noexcept {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
    case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}
/// RFC 3986 §3.3 pchar = unreserved / pct-encoded / sub-delims / ":" / "@" (without the '%')
constexpr bool is_pchar(char c) noexcept { return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@'; }

/// True if `a` and `b` are equal ignoring ASCII case (field names, tokens, schemes, verbs).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}
/// True if `s` begins with `prefix`, ignoring ASCII case.
constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
/// True for a non-empty RFC 9110 §5.6.2 token: 1*tchar, the grammar of methods and field names.
constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}
/// True if `s` holds a CR, LF or NUL: what would end or cut a protocol line if sent.
constexpr bool has_line_break(std::string_view s) noexcept {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

/// `s` without leading and trailing SP and HTAB (RFC 9110 §5.6.3 OWS, RFC 5234 WSP).
constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

/// `s` with ASCII letters lowercased (or uppercased); other bytes, UTF-8 included, as they are.
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);

}  // namespace wire::text
