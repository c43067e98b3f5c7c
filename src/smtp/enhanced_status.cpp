// SPDX-License-Identifier: MIT
#include "wire/smtp/enhanced_status.hpp"

#include "wire/text/chars.hpp"

namespace wire::smtp {
namespace {

// 1*3digit (RFC 3463 §2), no leading zeros beyond the number itself.
bool number(std::string_view& s, int& out) noexcept {
  std::size_t n = 0;
  out = 0;
  while (n < s.size() && n < 4 && text::is_digit(s[n])) out = out * 10 + (s[n++] - '0');
  if (n == 0 || n > 3) return false;
  s.remove_prefix(n);
  return true;
}

}  // namespace

std::string EnhancedStatus::str() const {
  return std::to_string(cls) + "." + std::to_string(subject) + "." + std::to_string(detail);
}

std::optional<EnhancedStatus> parse_enhanced_status(std::string_view text, std::string_view* rest) noexcept {
  EnhancedStatus s;
  std::string_view t = text;
  if (t.size() < 5 || (t[0] != '2' && t[0] != '4' && t[0] != '5') || t[1] != '.') return std::nullopt;
  s.cls = t[0] - '0';
  t.remove_prefix(2);
  if (!number(t, s.subject) || t.empty() || t[0] != '.') return std::nullopt;
  t.remove_prefix(1);
  if (!number(t, s.detail)) return std::nullopt;
  if (!t.empty() && t[0] != ' ') return std::nullopt;
  if (rest) *rest = t.empty() ? t : t.substr(1);
  return s;
}

}  // namespace wire::smtp
