// SPDX-License-Identifier: MIT
// Every input a fuzz target crashed on, as a unit test that says what went wrong. The input
// itself is also in tests/fuzz/corpus/<target>/, replayed by fuzz.replay.<target>.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "wire/http/cookies.hpp"
#include "wire/http/headers.hpp"
#include "wire/http/url.hpp"
#include "wire/net/address.hpp"

namespace {

using namespace std::string_view_literals;
namespace http = wire::http;
namespace net = wire::net;

// fuzz_address, crash-f592d1b3: "[fe80::1\0\0\0eth1]:0" parsed as [fe80::1]:0. The literal
// went to inet_pton() as a C string, which ends at the first NUL: whatever followed was
// ignored (and "fe80::1%lo\0junk" named interface "lo"). A NUL now makes it invalid.
TEST(FuzzRegressions, AddressWithNulByteIsRefused) {
  for (std::string_view text : {"[fe80::1\0\0\0eth1]:0"sv, "1.2.3.4\0.5:80"sv, "[::1\0]:80"sv,
                                "[fe80::1%lo\0junk]:80"sv}) {
    EXPECT_FALSE(net::Address::try_parse(text).has_value()) << text.size();
    EXPECT_THROW(net::Address::parse(text), std::invalid_argument);
  }
  EXPECT_THROW(net::Address::ip("127.0.0.1\0x"sv, 80), std::invalid_argument);
  EXPECT_FALSE(net::is_ip_literal("::1\0"sv));
  EXPECT_THROW(net::Address::unix_path("/tmp/a\0b"sv), std::invalid_argument);
  // Abstract names are lengths, not C strings: a NUL in one is a byte like another.
  EXPECT_EQ(net::Address::unix_path("@a\0b"sv).size(), net::Address::unix_path("@abc"sv).size());
}

// fuzz_cookies, crash-a6f1d2a1: "old=1; Expires=Wed, 09 Jun 2801 10:18:14 GMT". BUG, open, in
// src/http/cookies.cpp: an Expires after 2262-04-11 (the common "Fri, 31 Dec 9999 23:59:59
// GMT" among them; text::parse_cookie_date reads years up to 9999) overflows when parse_date()
// turns its seconds into system_clock's nanoseconds, and so does a Max-Age above ~292 years in
// `now + std::chrono::seconds(seconds)`: signed overflow, undefined (UBSan stops at
// chrono.h). In a release build the time wraps, and the cookie is dropped as expired (or kept
// with a wrong expiry). Expected: such a cookie is kept, as a browser keeps it, its expiry
// clamped to the largest time the clock holds. Enable this test with the fix; fuzz_cookies
// skips such lines until then (known_overflow()). (Its other input, an Expires in year 200,
// overflowed the strptime() parser this replaced; parse_cookie_date refuses years before 1601.)
TEST(FuzzRegressions, DISABLED_CookieExpiringAfter2262IsKept) {
  auto url = http::Url::parse("http://example.com/");
  auto now = http::CookieJar::Clock::time_point(std::chrono::seconds(1'700'000'000));
  for (std::string_view line : {"a=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT"sv,
                                "a=1; Expires=Wed, 09 Jun 2801 10:18:14 GMT"sv,
                                "a=1; Max-Age=99999999999"sv, "a=1; Max-Age=9223372036854775807"sv}) {
    http::CookieJar jar;
    http::Headers response;
    response.add("Set-Cookie", line);
    jar.store(url, response, now);
    EXPECT_EQ(jar.header_for(url, now), "a=1") << line;
  }
}

}  // namespace
