// SPDX-License-Identifier: MIT
// One family of date parsers and formatters for every protocol (see date.hpp). The calendar
// arithmetic is done here, on integers, rather than with timegm()/gmtime_r() and the C
// locale's month names.
#include "wire/text/date.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "wire/text/chars.hpp"

namespace wire::text {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::int64_t kSecondsPerDay = 86400;

// Days from 1970-01-01 to y-m-d. The year is counted from March, so that the leap day is the
// last day of its year; then 400-year eras of 146,097 days each.
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
  if (m <= 2) --y;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const std::int64_t month_from_march = (m + 9) % 12;
  const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719,468: days from 0000-03-01 to 1970-01-01
}

// The inverse of days_from_civil().
constexpr void civil_from_days(std::int64_t days, CivilTime& t) noexcept {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
  t.day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  t.month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  t.year = static_cast<int>(year_of_era + era * 400 + (t.month <= 2 ? 1 : 0));
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);

// 0 for Sunday: 1970-01-01 was a Thursday.
int weekday(std::int64_t unix_seconds) noexcept {
  std::int64_t days = unix_seconds / kSecondsPerDay - (unix_seconds % kSecondsPerDay < 0 ? 1 : 0);
  return static_cast<int>(((days % 7) + 11) % 7);
}

// A number made of digits only, at most nine of them; false for anything else.
bool read_number(std::string_view s, int& out) noexcept {
  if (s.empty() || s.size() > 9) return false;
  int n = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    n = n * 10 + (c - '0');
  }
  out = n;
  return true;
}

// 1-12 for a three-letter month name, 0 for anything else.
int month_number(std::string_view name, bool any_case) noexcept {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (any_case ? iequals(name, kMonths[i]) : name == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool is_day_name(std::string_view name, bool any_case) noexcept {
  for (auto d : kDays) {
    if (any_case ? iequals(name, d) : name == d) return true;
  }
  return false;
}

// "hh:mm:ss" with two digits each (HTTP); "hh:mm" or "hh:mm:ss" if `seconds_optional` (mail).
bool read_clock(std::string_view s, CivilTime& t, bool seconds_optional = false) noexcept {
  t.second = 0;
  if (seconds_optional && s.size() == 5) {
    return s[2] == ':' && read_number(s.substr(0, 2), t.hour) && read_number(s.substr(3, 2), t.minute);
  }
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && read_number(s.substr(0, 2), t.hour) &&
         read_number(s.substr(3, 2), t.minute) && read_number(s.substr(6, 2), t.second);
}

std::optional<std::int64_t> checked(const CivilTime& t) noexcept {
  if (!is_valid(t)) return std::nullopt;
  return to_unix_seconds(t);
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years ahead of this one is in the past.
int expand_two_digit_year(int yy) noexcept {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int current = to_civil(std::chrono::duration_cast<std::chrono::seconds>(now).count()).year;
  int year = current / 100 * 100 + yy;
  if (year > current + 50) year -= 100;
  if (year <= current - 50) year += 100;
  return year;
}

// Two digits, zero-padded, at `p`.
char* put2(char* p, int v) noexcept {
  p[0] = static_cast<char>('0' + v / 10 % 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

char* put_text(char* p, std::string_view s) noexcept {
  for (char c : s) *p++ = c;
  return p;
}

}  // namespace

std::int64_t to_unix_seconds(const CivilTime& t) noexcept {
  return days_from_civil(t.year, t.month, t.day) * kSecondsPerDay + t.hour * 3600 + t.minute * 60 + t.second;
}

CivilTime to_civil(std::int64_t unix_seconds) noexcept {
  std::int64_t days = unix_seconds / kSecondsPerDay;
  std::int64_t rest = unix_seconds % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  CivilTime t;
  civil_from_days(days, t);
  t.hour = static_cast<int>(rest / 3600);
  t.minute = static_cast<int>(rest / 60 % 60);
  t.second = static_cast<int>(rest % 60);
  return t;
}

int days_in_month(int year, int month) noexcept {
  static constexpr int kLengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return kLengths[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool is_valid(const CivilTime& t) noexcept {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) &&
         t.hour >= 0 && t.hour < 24 && t.minute >= 0 && t.minute < 60 && t.second >= 0 && t.second <= 60;
}

// --- HTTP ------------------------------------------------------------------------------------

std::size_t format_http_date(std::int64_t unix_seconds, std::span<char, 29> out) noexcept {
  CivilTime t = to_civil(unix_seconds);
  char* p = put_text(out.data(), kDays[static_cast<std::size_t>(weekday(unix_seconds))]);
  p = put_text(p, ", ");
  p = put2(p, t.day);
  *p++ = ' ';
  p = put_text(p, kMonths[static_cast<std::size_t>(t.month - 1)]);
  *p++ = ' ';
  p = put2(put2(p, t.year / 100), t.year % 100);
  *p++ = ' ';
  p = put2(p, t.hour);
  *p++ = ':';
  p = put2(p, t.minute);
  *p++ = ':';
  p = put2(p, t.second);
  put_text(p, " GMT");
  return 29;
}

std::string format_http_date(std::int64_t unix_seconds) {
  std::array<char, 29> buf;
  return std::string(buf.data(), format_http_date(unix_seconds, buf));
}

std::optional<std::int64_t> parse_http_date(std::string_view s) noexcept {
  CivilTime t;
  if (s.size() == 29 && s[3] == ',' && s.substr(25) == " GMT") {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (!is_day_name(s.substr(0, 3), false) || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        !read_number(s.substr(5, 2), t.day) || !read_number(s.substr(12, 4), t.year) ||
        !read_clock(s.substr(17, 8), t)) {
      return std::nullopt;
    }
    t.month = month_number(s.substr(8, 3), false);
    return checked(t);
  }
  if (auto comma = s.find(", "); comma != std::string_view::npos && s.size() == comma + 24 && s.ends_with(" GMT")) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    std::string_view name = s.substr(0, comma);
    bool known = false;
    for (auto d : kLongDays) known = known || name == d;
    std::string_view d = s.substr(comma + 2);
    if (!known || d[2] != '-' || d[6] != '-' || d[9] != ' ' || !read_number(d.substr(0, 2), t.day) ||
        !read_number(d.substr(7, 2), t.year) || !read_clock(d.substr(10, 8), t)) {
      return std::nullopt;
    }
    t.year = expand_two_digit_year(t.year);
    t.month = month_number(d.substr(3, 3), false);
    return checked(t);
  }
  if (s.size() == 24 && s[3] == ' ' && s[7] == ' ' && s[10] == ' ' && s[19] == ' ') {
    // asctime: "Sun Nov  6 08:49:37 1994"
    std::string_view day = s.substr(8, 2);
    if (day[0] == ' ') day.remove_prefix(1);
    if (!is_day_name(s.substr(0, 3), false) || !read_number(day, t.day) || !read_number(s.substr(20, 4), t.year) ||
        !read_clock(s.substr(11, 8), t)) {
      return std::nullopt;
    }
    t.month = month_number(s.substr(4, 3), false);
    return checked(t);
  }
  return std::nullopt;
}

// --- cookies (RFC 6265 §5.1.1) ---------------------------------------------------------------

namespace {

// delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
constexpr bool is_cookie_date_delimiter(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return u == 0x09 || (u >= 0x20 && u <= 0x2f) || (u >= 0x3b && u <= 0x40) || (u >= 0x5b && u <= 0x60) ||
         (u >= 0x7b && u <= 0x7e);
}

// 1*`max`DIGIT at the start of `s`, followed by the end or a non-digit; the rest after it.
bool leading_number(std::string_view& s, std::size_t min, std::size_t max, int& out) noexcept {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n < min || n > max) return false;
  read_number(s.substr(0, n), out);
  s.remove_prefix(n);
  return true;
}

// hms-time = time-field ":" time-field ":" time-field, then ( non-digit *OCTET )
bool cookie_time(std::string_view s, CivilTime& t) noexcept {
  return leading_number(s, 1, 2, t.hour) && s.starts_with(':') && (s.remove_prefix(1), true) &&
         leading_number(s, 1, 2, t.minute) && s.starts_with(':') && (s.remove_prefix(1), true) &&
         leading_number(s, 1, 2, t.second);
}

}  // namespace

std::optional<std::int64_t> parse_cookie_date(std::string_view s) noexcept {
  CivilTime t;
  bool found_time = false, found_day = false, found_month = false, found_year = false;
  while (!s.empty()) {
    while (!s.empty() && is_cookie_date_delimiter(s.front())) s.remove_prefix(1);
    std::size_t n = 0;
    while (n < s.size() && !is_cookie_date_delimiter(s[n])) ++n;
    std::string_view token = s.substr(0, n);
    s.remove_prefix(n);
    if (token.empty()) continue;
    std::string_view rest = token;
    CivilTime clock;
    if (!found_time && cookie_time(token, clock)) {
      found_time = true;
      t.hour = clock.hour;
      t.minute = clock.minute;
      t.second = clock.second;
    } else if (!found_day && leading_number(rest = token, 1, 2, t.day)) {
      found_day = true;
    } else if (!found_month && token.size() >= 3 && month_number(token.substr(0, 3), true) != 0) {
      found_month = true;
      t.month = month_number(token.substr(0, 3), true);
    } else if (!found_year && leading_number(rest = token, 2, 4, t.year)) {
      found_year = true;
    }
  }
  if (!found_time || !found_day || !found_month || !found_year) return std::nullopt;
  if (t.year >= 70 && t.year <= 99) t.year += 1900;
  if (t.year >= 0 && t.year <= 69) t.year += 2000;
  if (t.year < 1601 || t.second > 59) return std::nullopt;
  return checked(t);
}

// --- mail (RFC 5322 §3.3, §4.3) --------------------------------------------------------------

namespace {

// The text with comments (nested, with quoted-pairs) replaced by a space each, and commas by
// spaces, so that what is left splits on whitespace. false if a comment does not end, or the
// text is longer than any date could be.
bool strip_comments(std::string_view s, std::array<char, 256>& buf, std::string_view& out) noexcept {
  if (s.size() > buf.size()) return false;
  std::size_t n = 0;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')' && --depth == 0) buf[n++] = ' ';
      continue;
    }
    if (c == '(') {
      depth = 1;
    } else {
      buf[n++] = (c == ',' || c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
    }
  }
  out = std::string_view(buf.data(), n);
  return depth == 0;
}

std::string_view next_word(std::string_view& s) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  std::size_t n = s.find(' ');
  std::string_view word = s.substr(0, n);
  s.remove_prefix(word.size());
  return word;
}

// The zone's offset east of UTC in minutes: "+hhmm" / "-hhmm" or an obsolete name.
bool read_zone(std::string_view z, int& minutes) noexcept {
  int hhmm = 0;
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-') && read_number(z.substr(1), hhmm)) {
    if (hhmm % 100 > 59) return false;
    minutes = (hhmm / 100 * 60 + hhmm % 100) * (z[0] == '-' ? -1 : 1);
    return true;
  }
  struct Named {
    std::string_view name;
    int hours;
  };
  static constexpr Named kZones[] = {{"UT", 0},   {"GMT", 0},  {"EST", -5}, {"EDT", -4}, {"CST", -6},
                                     {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
  for (const auto& zone : kZones) {
    if (iequals(z, zone.name)) {
      minutes = zone.hours * 60;
      return true;
    }
  }
  // RFC 5322 §4.3: the military zones were defined with their signs reversed; read as -0000.
  if (z.size() == 1 && is_alpha(z[0]) && to_lower(z[0]) != 'j') {
    minutes = 0;
    return true;
  }
  return false;
}

}  // namespace

std::string format_mail_date(std::int64_t unix_seconds, int utc_offset_minutes) {
  std::int64_t local = unix_seconds + std::int64_t{utc_offset_minutes} * 60;
  CivilTime t = to_civil(local);
  int offset = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                        kDays[static_cast<std::size_t>(weekday(local))].data(), t.day,
                        kMonths[static_cast<std::size_t>(t.month - 1)].data(), t.year, t.hour, t.minute, t.second,
                        utc_offset_minutes < 0 ? '-' : '+', offset / 60 % 100, offset % 60);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<std::int64_t> parse_mail_date(std::string_view text) noexcept {
  std::array<char, 256> buf;
  std::string_view s;
  if (!strip_comments(text, buf, s)) return std::nullopt;
  std::string_view word = next_word(s);
  if (!word.empty() && is_alpha(word[0])) {  // [ day-of-week "," ]
    if (!is_day_name(word, true)) return std::nullopt;
    word = next_word(s);
  }
  CivilTime t;
  std::string_view month = next_word(s);
  std::string_view year = next_word(s);
  std::string_view clock = next_word(s);
  std::string_view zone = next_word(s);
  if (!next_word(s).empty()) return std::nullopt;  // nothing may follow the zone but comments
  int minutes = 0;
  if (word.size() > 2 || !read_number(word, t.day) || !read_number(year, t.year) || year.size() < 2 ||
      !read_clock(clock, t, true) || !read_zone(zone, minutes)) {
    return std::nullopt;
  }
  t.month = month_number(month, true);
  if (year.size() == 2) t.year += t.year < 50 ? 2000 : 1900;  // RFC 5322 §4.3 obs-year
  if (year.size() == 3) t.year += 1900;
  auto local = checked(t);
  if (!local) return std::nullopt;
  return *local - std::int64_t{minutes} * 60;
}

// --- FTP (RFC 3659 §2.3) and logs ------------------------------------------------------------

std::string format_time_val(std::int64_t unix_seconds) {
  CivilTime t = to_civil(unix_seconds);
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", t.year, t.month, t.day, t.hour, t.minute,
                        t.second);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<std::int64_t> parse_time_val(std::string_view s) noexcept {
  if (s.size() > 14) {
    // time-val = 14DIGIT [ "." 1*DIGIT ]
    std::string_view fraction = s.substr(15);
    int ignored = 0;
    if (s[14] != '.' || fraction.empty()) return std::nullopt;
    for (std::size_t i = 0; i < fraction.size(); i += 9) {
      if (!read_number(fraction.substr(i, 9), ignored)) return std::nullopt;
    }
    s = s.substr(0, 14);
  }
  CivilTime t;
  if (s.size() != 14 || !read_number(s.substr(0, 4), t.year) || !read_number(s.substr(4, 2), t.month) ||
      !read_number(s.substr(6, 2), t.day) || !read_number(s.substr(8, 2), t.hour) ||
      !read_number(s.substr(10, 2), t.minute) || !read_number(s.substr(12, 2), t.second)) {
    return std::nullopt;
  }
  return checked(t);
}

std::string format_log_date(std::int64_t unix_seconds) {
  CivilTime t = to_civil(unix_seconds);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", t.day,
                        kMonths[static_cast<std::size_t>(t.month - 1)].data(), t.year, t.hour, t.minute, t.second);
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace wire::text
