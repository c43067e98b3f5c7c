// SPDX-License-Identifier: MIT
// TODO(text): replace with wire::text once it is on main.
#include "text.hpp"

#include <cstdio>

namespace wire::ftp::detail {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::uint64_t> decimal(std::string_view s, std::uint64_t max, std::size_t max_digits) noexcept {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<std::chrono::sys_time<std::chrono::milliseconds>> parse_time_val(std::string_view s) noexcept {
  using namespace std::chrono;
  if (s.size() < 14) return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) { return decimal(s.substr(at, n), 9999, n); };
  auto y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(8, 2), mi = num(10, 2), sec = num(12, 2);
  if (!y || !mo || !d || !h || !mi || !sec) return std::nullopt;
  std::uint64_t ms = 0;
  if (s.size() > 14) {
    // "." 1*DIGIT
    if (s[14] != '.' || s.size() == 15) return std::nullopt;
    std::string_view frac = s.substr(15);
    for (std::size_t i = 0; i < frac.size(); ++i) {
      if (!is_digit(frac[i])) return std::nullopt;
      if (i < 3) ms = ms * 10 + static_cast<std::uint64_t>(frac[i] - '0');
    }
    for (std::size_t i = frac.size(); i < 3; ++i) ms *= 10;
  }
  year_month_day date{year(static_cast<int>(*y)), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
  // RFC 3659 §2.3: hours 00-23, minutes 00-59, seconds 00-60 (a leap second).
  if (!date.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  return sys_days(date) + hours(*h) + minutes(*mi) + seconds(*sec) + milliseconds(ms);
}

std::string format_time_val(std::chrono::sys_time<std::chrono::milliseconds> t) {
  using namespace std::chrono;
  sys_days days = floor<std::chrono::days>(t);
  year_month_day date(days);
  hh_mm_ss<milliseconds> time(t - days);
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", static_cast<int>(date.year()),
                        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                        static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                        static_cast<int>(time.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (auto ms = time.subseconds().count(); ms != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms));
    out += buf;
  }
  return out;
}

}  // namespace wire::ftp::detail
