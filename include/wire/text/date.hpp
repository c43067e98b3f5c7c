// SPDX-License-Identifier: MIT
// Dates as the protocols write them, in one family of parsers and formatters: locale-
// independent (no strptime, no strftime), UTC, seconds since the Unix epoch.
//
//   HTTP     RFC 9110 §5.6.7   "Sun, 06 Nov 1994 08:49:37 GMT" (and RFC 850, asctime)
//   cookies  RFC 6265 §5.1.1   whatever a Set-Cookie Expires says, read leniently
//   mail     RFC 5322 §3.3     "Sun, 6 Nov 1994 08:49:37 +0100" (and the obsolete forms of §4.3)
//   FTP      RFC 3659 §2.3     "19941106084937" (MDTM, MLSD modify=)
//   logs     Common Log Format "06/Nov/1994:08:49:37 +0000"
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wire::text {

/// A calendar date and time of day in UTC (proleptic Gregorian calendar).
///   CivilTime t = to_civil(784111777);   // {1994, 11, 6, 8, 49, 37}
struct CivilTime {
  int year = 1970;
  int month = 1;  ///< 1-12
  int day = 1;    ///< 1-31
  int hour = 0;
  int minute = 0;
  int second = 0;  ///< 0-60 (a leap second counts as the next minute's first)
  friend bool operator==(const CivilTime&, const CivilTime&) = default;
};

/// Seconds since 1970-01-01T00:00:00Z of `t` (any year, before 1970 included).
std::int64_t to_unix_seconds(const CivilTime& t) noexcept;
/// The civil time of `unix_seconds`.
CivilTime to_civil(std::int64_t unix_seconds) noexcept;
/// Whether `t` names a real moment: month 1-12, a day the month has, hour < 24, minute < 60,
/// second <= 60.
bool is_valid(const CivilTime& t) noexcept;
/// Days in `month` (1-12) of `year`.
int days_in_month(int year, int month) noexcept;

/// An HTTP date (RFC 9110 §5.6.7, IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::int64_t unix_seconds);
/// The same into `out` without allocating (a server's cached Date); `out` must hold 29
/// characters. Returns 29.
std::size_t format_http_date(std::int64_t unix_seconds, std::span<char, 29> out) noexcept;
/// Parses the preferred HTTP date format and the two obsolete ones a recipient must accept
/// (RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994"), exactly as
/// the grammar says (case-sensitive names, fixed widths); nullopt otherwise. A two-digit year
/// that would lie more than 50 years ahead is taken as the last such year in the past.
std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept;

/// Parses a cookie's Expires date with the algorithm of RFC 6265 §5.1.1, which reads what
/// servers really send ("Wed, 09-Jun-2021 10:18:14 GMT", "Wednesday, 09 Jun 21 10:18:14",
/// "Jun 9 2021 10:18:14"): tokens in any order, the first time, day, month and year found.
/// nullopt if one is missing or out of range, or the year is before 1601.
std::optional<std::int64_t> parse_cookie_date(std::string_view text) noexcept;

/// A mail date (RFC 5322 §3.3): "Sun, 06 Nov 1994 09:49:37 +0100" for `utc_offset_minutes` 60.
std::string format_mail_date(std::int64_t unix_seconds, int utc_offset_minutes = 0);
/// Parses a mail date: an optional day name, comments and folding whitespace anywhere, one- or
/// two-digit days, seconds optional, the obsolete two- and three-digit years and zone names of
/// RFC 5322 §4.3 (UT, GMT, EST ... PDT; military letters read as -0000). nullopt otherwise.
std::optional<std::int64_t> parse_mail_date(std::string_view text) noexcept;

/// An FTP time-val (RFC 3659 §2.3): "19941106084937", always UTC.
std::string format_time_val(std::int64_t unix_seconds);
/// Parses "YYYYMMDDHHMMSS" with an optional fraction ".sss" (dropped: the result is whole
/// seconds); nullopt for anything else.
std::optional<std::int64_t> parse_time_val(std::string_view text) noexcept;

/// The date of a Common Log Format line: "06/Nov/1994:08:49:37 +0000".
std::string format_log_date(std::int64_t unix_seconds);

}  // namespace wire::text
