// SPDX-License-Identifier: MIT
#include "wire/mime/charset.hpp"

#include <cstdint>

#include "wire/text/chars.hpp"

namespace wire::mime {
namespace {

enum class Charset { unknown, utf8, ascii, latin1, latin9, cp1252 };

Charset charset_of(std::string_view name) noexcept {
  using text::iequals;
  for (auto n : {"utf-8", "utf8"}) {
    if (iequals(name, n)) return Charset::utf8;
  }
  for (auto n : {"us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "iso-ir-6", "cp367"}) {
    if (iequals(name, n)) return Charset::ascii;
  }
  for (auto n : {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "iso-ir-100"}) {
    if (iequals(name, n)) return Charset::latin1;
  }
  for (auto n : {"iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9"}) {
    if (iequals(name, n)) return Charset::latin9;
  }
  for (auto n : {"windows-1252", "cp1252", "x-cp1252"}) {
    if (iequals(name, n)) return Charset::cp1252;
  }
  return Charset::unknown;
}

void put_code_point(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

constexpr std::uint32_t kReplacement = 0xfffd;

// The length of the well-formed UTF-8 sequence at s[i], or 0 (RFC 3629 §4's table).
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;  // at most U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) return 0;
  }
  return n;
}

// windows-1252 at 0x80-0x9F; the five unassigned bytes keep their C1 code points.
constexpr std::uint16_t kCp1252[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};

std::uint32_t latin9(unsigned char c) noexcept {
  switch (c) {
    case 0xa4: return 0x20ac;
    case 0xa6: return 0x0160;
    case 0xa8: return 0x0161;
    case 0xb4: return 0x017d;
    case 0xb8: return 0x017e;
    case 0xbc: return 0x0152;
    case 0xbd: return 0x0153;
    case 0xbe: return 0x0178;
    default: return c;
  }
}

}  // namespace

bool is_ascii(std::string_view s) noexcept {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool is_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool is_known_charset(std::string_view charset) noexcept { return charset_of(charset) != Charset::unknown; }

std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset) {
  Charset cs = charset_of(charset);
  if (cs == Charset::unknown) return std::nullopt;
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    switch (cs) {
      case Charset::utf8: {
        std::size_t n = utf8_sequence(bytes, i);
        if (n == 0) {
          put_code_point(out, kReplacement);
          ++i;
        } else {
          out.append(bytes.substr(i, n));
          i += n;
        }
        continue;
      }
      case Charset::ascii:
        put_code_point(out, kReplacement);
        break;
      case Charset::latin1:
        put_code_point(out, c);
        break;
      case Charset::latin9:
        put_code_point(out, latin9(c));
        break;
      case Charset::cp1252:
        put_code_point(out, c < 0xa0 ? kCp1252[c - 0x80] : c);
        break;
      case Charset::unknown:
        break;
    }
    ++i;
  }
  return out;
}

}  // namespace wire::mime
