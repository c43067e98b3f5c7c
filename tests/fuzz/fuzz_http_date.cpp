// SPDX-License-Identifier: MIT
// Fuzzes the HTTP date formats (RFC 9110 §5.6.7): parse_http_date() on any text (the
// IMF-fixdate, RFC 850 and asctime forms), and format_http_date() on any time. A date that
// parses is formatted as an IMF-fixdate that parses to the same time; a time from 1970 to
// 9999 formats to a date that parses back to it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "wire/http/server.hpp"

using namespace wire::http;
using wire::fuzz::violated;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = parse_http_date(text)) {
    // Four-digit years from 1900 (two-digit RFC 850 years land in 1970-2069).
    if (*t < -2'208'988'800LL || *t > 253'402'300'799LL + 86'400LL * 31) violated("a parsed date outside years 1900-9999");
    std::string again = format_http_date(*t);
    if (parse_http_date(again) != t) violated("a parsed date, formatted, parses to another time");
  }

  // Any time: the first 8 bytes, as seconds since 1970 folded into 1970-9999.
  std::uint64_t bits = 0;
  std::memcpy(&bits, data, std::min<std::size_t>(size, sizeof bits));
  auto t = static_cast<std::int64_t>(bits % 253'402'300'800ULL);
  std::string formatted = format_http_date(t);
  if (formatted.size() != 29) violated("a formatted date that is not 29 bytes");
  if (parse_http_date(formatted) != t) violated("a formatted date parses to another time");
  // A format_http_date() of any 64-bit time must not crash or overflow its buffer either.
  (void)format_http_date(static_cast<std::int64_t>(bits));
  return 0;
}
