// SPDX-License-Identifier: MIT
// wire::text dates: the calendar against glibc's, and each protocol's formats, valid and not.
#include "wire/text/date.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace wire::text {
namespace {

constexpr std::int64_t kRfcExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110)

TEST(Calendar, KnownMoments) {
  EXPECT_EQ(to_civil(0), (CivilTime{1970, 1, 1, 0, 0, 0}));
  EXPECT_EQ(to_civil(-1), (CivilTime{1969, 12, 31, 23, 59, 59}));
  EXPECT_EQ(to_civil(kRfcExample), (CivilTime{1994, 11, 6, 8, 49, 37}));
  EXPECT_EQ(to_civil(951782400), (CivilTime{2000, 2, 29, 0, 0, 0}));
  EXPECT_EQ(to_civil(253402300799), (CivilTime{9999, 12, 31, 23, 59, 59}));
  EXPECT_EQ(to_unix_seconds({1601, 1, 1, 0, 0, 0}), -11644473600);
}

TEST(Calendar, EveryDayFrom1600To2400RoundTrips) {
  std::int64_t days = 0;
  for (int y = 1600; y <= 2400; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= days_in_month(y, m); ++d, ++days) {
        CivilTime t{y, m, d, 12, 0, 0};
        ASSERT_TRUE(is_valid(t));
        ASSERT_EQ(to_civil(to_unix_seconds(t)), t) << y << "-" << m << "-" << d;
      }
    }
  }
  EXPECT_EQ(days, 292560);  // 801 years: 801 * 365 + 195 leap days (201 fourth years, 6 centuries not)
}

TEST(Calendar, AgreesWithGlibc) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> seconds(-12'000'000'000, 250'000'000'000);
  for (int i = 0; i < 20000; ++i) {
    std::int64_t s = seconds(rng);
    std::time_t t = static_cast<std::time_t>(s);
    std::tm tm{};
    ASSERT_NE(::gmtime_r(&t, &tm), nullptr);
    CivilTime expected{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    ASSERT_EQ(to_civil(s), expected) << s;
    ASSERT_EQ(to_unix_seconds(expected), static_cast<std::int64_t>(::timegm(&tm))) << s;
    char glibc[40];
    std::strftime(glibc, sizeof glibc, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (tm.tm_year + 1900 >= 1000 && tm.tm_year + 1900 <= 9999) {
      ASSERT_EQ(format_http_date(s), glibc);
    }
  }
}

TEST(Calendar, Validity) {
  EXPECT_TRUE(is_valid({2024, 2, 29, 23, 59, 60}));
  EXPECT_FALSE(is_valid({2023, 2, 29, 0, 0, 0}));
  EXPECT_FALSE(is_valid({1900, 2, 29, 0, 0, 0}));  // not a leap year: divisible by 100
  EXPECT_TRUE(is_valid({2000, 2, 29, 0, 0, 0}));   // a leap year: divisible by 400
  EXPECT_FALSE(is_valid({2024, 4, 31, 0, 0, 0}));
  EXPECT_FALSE(is_valid({2024, 13, 1, 0, 0, 0}));
  EXPECT_FALSE(is_valid({2024, 0, 1, 0, 0, 0}));
  EXPECT_FALSE(is_valid({2024, 1, 0, 0, 0, 0}));
  EXPECT_FALSE(is_valid({2024, 1, 1, 24, 0, 0}));
  EXPECT_FALSE(is_valid({2024, 1, 1, 0, 60, 0}));
  EXPECT_FALSE(is_valid({2024, 1, 1, 0, 0, 61}));
}

// --- HTTP --------------------------------------------------------------------------------------

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(format_http_date(kRfcExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  std::array<char, 29> buf;
  EXPECT_EQ(format_http_date(951782400, buf), 29u);
  EXPECT_EQ(std::string_view(buf.data(), 29), "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST(HttpDate, ParsesTheThreeFormats) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kRfcExample);
  EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994"), kRfcExample + 10 * 86400);
}

TEST(HttpDate, TwoDigitYearsMoreThanFiftyYearsAheadArePast) {
  int year = to_civil(std::time(nullptr)).year;
  auto expect_year = [](std::string_view text, int y) {
    auto t = parse_http_date(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(to_civil(*t).year, y) << text;
  };
  char text[64];
  int ahead = (year + 50) % 100;  // exactly 50 years ahead: still ahead
  std::snprintf(text, sizeof text, "Monday, 01-Jan-%02d 00:00:00 GMT", ahead);
  expect_year(text, year + 50);
  int past = (year + 51) % 100;  // 51 years ahead: the century before
  std::snprintf(text, sizeof text, "Monday, 01-Jan-%02d 00:00:00 GMT", past);
  expect_year(text, year + 51 - 100);
}

TEST(HttpDate, RefusesWhatTheGrammarDoesNotAllow) {
  for (std::string_view bad : {
           "", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 GMT ", " Sun, 06 Nov 1994 08:49:37 GMT",
           "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT", "sun, 06 Nov 1994 08:49:37 GMT",
           "Sxn, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 30 Feb 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
           "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun, 06 Nov +994 08:49:37 GMT", "Sun,  6 Nov 1994 08:49:37 GMT",
           "Sunday, 06-Nov-1994 08:49:37 GMT", "Sundae, 06-Nov-94 08:49:37 GMT", "Sunday, 06 Nov 94 08:49:37 GMT",
           "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun Nov  6 08:49:37 1994 ",
           "1994-11-06T08:49:37Z", "784111777"}) {
    EXPECT_FALSE(parse_http_date(bad)) << bad;
  }
}

// --- cookies -------------------------------------------------------------------------------------

TEST(CookieDate, ReadsWhatServersSend) {
  const std::int64_t june9 = to_unix_seconds({2021, 6, 9, 10, 18, 14});
  for (std::string_view text : {
           "Wed, 09 Jun 2021 10:18:14 GMT", "Wed, 09-Jun-2021 10:18:14 GMT", "Wednesday, 09-Jun-21 10:18:14 GMT",
           "Jun 9 2021 10:18:14", "9 june 2021 10:18:14", "Wed, 09 Jun 2021 10:18:14 +0200",
           "Wed Jun 09 10:18:14 2021", "2021 Jun 09 10:18:14 GMT", "Wed,09-Jun-2021 10:18:14 UTC",
           "Wed, 09 JUNE 2021 10:18:14 GMT"}) {
    EXPECT_EQ(parse_cookie_date(text), june9) << text;
  }
}

TEST(CookieDate, YearsAndRanges) {
  EXPECT_EQ(parse_cookie_date("01 Jan 70 00:00:00"), 0);
  EXPECT_EQ(to_civil(*parse_cookie_date("01 Jan 99 00:00:00")).year, 1999);
  EXPECT_EQ(to_civil(*parse_cookie_date("01 Jan 69 00:00:00")).year, 2069);
  EXPECT_EQ(to_civil(*parse_cookie_date("01 Jan 1601 00:00:00")).year, 1601);
  EXPECT_EQ(to_civil(*parse_cookie_date("1:2:3 1 Jan 2000")).second, 3);
  for (std::string_view bad : {"", "Wed, 09 Jun 2021", "09 Jun 2021 10:18", "Jun 2021 10:18:14",
                               "09 2021 10:18:14", "09 Jun 10:18:14", "30 Feb 2021 10:18:14",
                               "01 Jan 1600 00:00:00", "01 Jan 2021 24:00:00", "01 Jan 2021 00:60:00",
                               "01 Jan 2021 00:00:60", "32 Jan 2021 00:00:00", "00 Jan 2021 00:00:00",
                               "01 Jan 20210 00:00:00", "001 Jan 2021 00:00:00"}) {
    EXPECT_FALSE(parse_cookie_date(bad)) << bad;
  }
}

// --- mail --------------------------------------------------------------------------------------

TEST(MailDate, Formats) {
  EXPECT_EQ(format_mail_date(kRfcExample), "Sun, 06 Nov 1994 08:49:37 +0000");
  EXPECT_EQ(format_mail_date(kRfcExample, 60), "Sun, 06 Nov 1994 09:49:37 +0100");
  EXPECT_EQ(format_mail_date(kRfcExample, -330), "Sun, 06 Nov 1994 03:19:37 -0530");
  EXPECT_EQ(format_mail_date(kRfcExample, -9 * 60), "Sat, 05 Nov 1994 23:49:37 -0900");
  for (int offset : {0, 60, -330, 840, -720, 345}) {
    EXPECT_EQ(parse_mail_date(format_mail_date(kRfcExample, offset)), kRfcExample) << offset;
  }
}

TEST(MailDate, ParsesCurrentAndObsoleteForms) {
  for (std::string_view text : {
           "Sun, 06 Nov 1994 08:49:37 +0000", "Sun, 6 Nov 1994 08:49:37 +0000", "6 Nov 1994 09:49:37 +0100",
           "Sun, 06 Nov 1994 03:49:37 -0500", "Sun, 6 Nov 94 03:49:37 EST", "Sun, 06 Nov 1994 04:49:37 EDT",
           "Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UT", "sun, 06 nov 1994 08:49:37 z",
           "Sun, 06 Nov 1994 08:49:37 +0000 (Coordinated Universal Time)",
           "Sun, 06 Nov 1994 (a (nested) comment) 08:49:37 +0000", "Sun,\r\n 06 Nov\r\n 1994 08:49:37\t+0000",
           "Sun , 06 Nov 1994 08:49:37 +0000", "Sun, 06 Nov 094 08:49:37 +0000", "  Sun, 06 Nov 1994 08:49:37 +0000  "}) {
    EXPECT_EQ(parse_mail_date(text), kRfcExample) << text;
  }
  EXPECT_EQ(parse_mail_date("Sun, 06 Nov 1994 08:49 +0000"), kRfcExample - 37);
  EXPECT_EQ(to_civil(*parse_mail_date("1 Jan 49 00:00 +0000")).year, 2049);
  EXPECT_EQ(to_civil(*parse_mail_date("1 Jan 50 00:00 +0000")).year, 1950);
}

TEST(MailDate, RefusesTheRest) {
  for (std::string_view bad : {
           "", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 +0960", "Sun, 06 Nov 1994 08:49:37 +01",
           "Sun, 06 Nov 1994 08:49:37 CET", "Sun, 06 Nov 1994 08:49:37 J", "Sux, 06 Nov 1994 08:49:37 +0000",
           "Sun, 06 Nov 1994 08:49:37 +0000 extra", "Sun, 06 Nov 1994 08:49:37 +0000 (open",
           "Sun, 31 Nov 1994 08:49:37 +0000", "Sun, 06 Nov 1994 8:49:37 +0000", "Sun, 006 Nov 1994 08:49:37 +0000",
           "Sun, 06 Nov 4 08:49:37 +0000", "Sun, 06 November 1994 08:49:37 +0000", "2024-01-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_mail_date(bad)) << bad;
  }
  EXPECT_FALSE(parse_mail_date(std::string(300, ' ') + "Sun, 06 Nov 1994 08:49:37 +0000"));  // longer than a date
}

// --- FTP and logs ------------------------------------------------------------------------------

TEST(TimeVal, FormatsAndParses) {
  EXPECT_EQ(format_time_val(kRfcExample), "19941106084937");
  EXPECT_EQ(format_time_val(0), "19700101000000");
  EXPECT_EQ(parse_time_val("19941106084937"), kRfcExample);
  EXPECT_EQ(parse_time_val("19941106084937.5"), kRfcExample);
  EXPECT_EQ(parse_time_val("19941106084937.123456789012"), kRfcExample);
  for (std::string_view bad : {"", "1994110608493", "199411060849370", "19941106084937.", "19941106084937,5",
                               "19941306084937", "19940230084937", "19941106244937", "1994110608493a",
                               " 19941106084937", "19941106084937.5x", "-1941106084937"}) {
    EXPECT_FALSE(parse_time_val(bad)) << bad;
  }
}

TEST(LogDate, CommonLogFormat) {
  EXPECT_EQ(format_log_date(kRfcExample), "06/Nov/1994:08:49:37 +0000");
}

}  // namespace
}  // namespace wire::text
