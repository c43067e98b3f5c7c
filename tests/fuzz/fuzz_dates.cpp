// SPDX-License-Identifier: MIT
// Fuzzes wire::text's date family on any text: HTTP dates (RFC 9110 §5.6.7, the three
// forms), cookie dates (RFC 6265 §5.1.1), mail dates (RFC 5322 §3.3), FTP time-vals (RFC
// 3659 §2.3); and the calendar on any time. A date that parses is a valid moment whose own
// format parses back to the same time; a cookie date lies in 1601-9999; the calendar's two
// directions agree for every time they cover, and format_http_date's two forms agree.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "wire/text/date.hpp"

using namespace wire::text;
using wire::fuzz::violated;

namespace {

constexpr std::int64_t kYear1 = -62'135'596'800LL;        // 0001-01-01T00:00:00Z
constexpr std::int64_t kYear1601 = -11'644'473'600LL;     // 1601-01-01T00:00:00Z
constexpr std::int64_t kYear10000 = 253'402'300'800LL;    // 10000-01-01T00:00:00Z

void check_moment(std::int64_t t, const char* what) {
  if (!is_valid(to_civil(t))) violated(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto t = parse_http_date(text)) {
    check_moment(*t, "an HTTP date that is no valid moment");
    if (*t >= 0 && *t < kYear10000 && parse_http_date(format_http_date(*t)) != t) {
      violated("an HTTP date, formatted again, parses to another time");
    }
  }
  if (auto t = parse_cookie_date(text)) {
    if (*t < kYear1601 || *t >= kYear10000) violated("a cookie date outside 1601-9999");
    check_moment(*t, "a cookie date that is no valid moment");
  }
  if (auto t = parse_mail_date(text)) {
    if (*t > kYear1 && *t < kYear10000) {
      // Formatted as UTC, it must read back as the same moment.
      if (parse_mail_date(format_mail_date(*t)) != t) violated("a mail date, formatted again, parses to another time");
    }
  }
  if (auto t = parse_time_val(text)) {
    if (*t >= kYear1 && *t < kYear10000 && parse_time_val(format_time_val(*t)) != t) {
      violated("a time-val, formatted again, parses to another time");
    }
  }

  // Any time: the first 8 bytes, folded into years 1-9999 (what four-digit formats can say).
  std::uint64_t bits = 0;
  std::memcpy(&bits, data, std::min<std::size_t>(size, sizeof bits));
  std::int64_t t = kYear1 + static_cast<std::int64_t>(bits % static_cast<std::uint64_t>(kYear10000 - kYear1));
  CivilTime civil = to_civil(t);
  if (!is_valid(civil) || to_unix_seconds(civil) != t) violated("the calendar does not round-trip");
  std::array<char, 29> fixed{};
  std::string formatted = format_http_date(t);
  if (format_http_date(t, std::span<char, 29>(fixed)) != 29 || formatted != std::string_view(fixed.data(), 29)) {
    violated("format_http_date's two forms differ");
  }
  if (t >= 0 && parse_http_date(formatted) != t) violated("a formatted HTTP date parses to another time");
  if (parse_time_val(format_time_val(t)) != t) violated("a formatted time-val parses to another time");
  // With an offset of up to ±12 h the local date must stay within years 1-9999.
  if (t > kYear1 + 86'400 && t < kYear10000 - 86'400 &&
      parse_mail_date(format_mail_date(t, static_cast<int>((bits >> 48) % 1441) - 720)) != t) {
    violated("a formatted mail date with an offset parses to another time");
  }
  // Any 64-bit time at all must not crash the formatters (or overflow their buffers).
  (void)format_http_date(static_cast<std::int64_t>(bits));
  (void)format_mail_date(static_cast<std::int64_t>(bits));
  (void)format_time_val(static_cast<std::int64_t>(bits));
  (void)format_log_date(static_cast<std::int64_t>(bits));
  return 0;
}
