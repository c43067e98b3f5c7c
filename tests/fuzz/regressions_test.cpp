// SPDX-License-Identifier: MIT
// Every input a fuzz target crashed on, as a unit test that says what went wrong. The input
// itself is also in tests/fuzz/corpus/<target>/, replayed by fuzz.replay.<target>.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <sstream>
#include <string_view>

#include "wire/http/cookies.hpp"
#include "wire/http/headers.hpp"
#include "wire/http/parser.hpp"
#include "wire/http/serializer.hpp"
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

// fuzz_cookies, crash-a6f1d2a1: "old=1; Expires=Wed, 09 Jun 2801 10:18:14 GMT". An Expires
// after 2262-04-11 (the common "Fri, 31 Dec 9999 23:59:59 GMT" among them;
// text::parse_cookie_date reads years up to 9999) overflowed when its seconds became
// system_clock's nanoseconds, and so did a Max-Age above ~292 years added to now: signed
// overflow, undefined (UBSan stopped in chrono.h); a release build dropped the cookie as
// expired. Fixed in src/http/cookies.cpp: such times saturate at the clock's end, and the
// cookie is kept, as a browser keeps it. (Its other input, an Expires in year 200, overflowed
// the strptime() parser that parse_cookie_date replaced; years before 1601 are refused.)
TEST(FuzzRegressions, CookieExpiringAfter2262IsKept) {
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
  // The other end: an Expires before 1677 is in the past, and deletes as any past date does.
  http::CookieJar jar;
  http::Headers set;
  set.add("Set-Cookie", "a=1");
  jar.store(url, set, now);
  http::Headers unset;
  unset.add("Set-Cookie", "a=2; Expires=Thu, 01 Jan 1650 00:00:00 GMT");
  jar.store(url, unset, now);
  EXPECT_EQ(jar.header_for(url, now), "");
  // curl's cookie file may hold an expiry in 9999 (253402300799): kept, and written back as the
  // clock's last second, which curl reads as a time in 2262.
  std::istringstream file("example.com\tFALSE\t/\tFALSE\t253402300799\tb\t2\n");
  EXPECT_EQ(jar.read_netscape(file, now), 1u);
  EXPECT_EQ(jar.header_for(url, now), "b=2");
  std::ostringstream out;
  jar.write_netscape(out, now);
  EXPECT_NE(out.str().find("\t9223372036\tb\t2\n"), std::string::npos) << out.str();
}

// fuzz_headers, crash-6ee8a15d: "Content-Length: 0000000000000000056639055". The request parser
// (llhttp) takes any run of digits whose value fits in 64 bits, leading zeros included, but
// the serializer counted digits (at most 19) and refused to encode the head it had been given:
// a proxy or a test re-encoding what it parsed failed on a valid message. Fixed in
// src/http/serializer.cpp: both now take the same values, and refuse the same ones.
TEST(FuzzRegressions, ContentLengthWithLeadingZerosEncodesAgain) {
  struct Case {
    std::string_view value;
    bool valid;
  };
  for (auto [value, valid] : {Case{"0000000000000000056639055", true}, Case{"18446744073709551615", true},
                              Case{"000000000000000000000018446744073709551615", true},
                              Case{"18446744073709551616", false}, Case{"99999999999999999999", false}}) {
    std::string head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::string(value) + "\r\n\r\n";
    http::RequestParser parser;
    parser.feed(head);
    bool parsed = parser.next().kind == http::EventKind::head;
    EXPECT_EQ(parsed, valid) << value;

    http::Request request{"POST", "/", {{"Host", "a"}, {"Content-Length", value}}};
    std::string again;
    std::error_code ec;
    http::encode_head(request, again, ec);
    EXPECT_EQ(!ec, valid) << value << ": " << ec.message();
    if (valid) {
      EXPECT_EQ(again, head);
      EXPECT_EQ(parser.content_length(), std::stoull(std::string(value))) << value;
    } else {
      EXPECT_EQ(ec, http::Errc::bad_content_length) << value;
    }
  }
}

}  // namespace
