// SPDX-License-Identifier: MIT
// CookieJar by RFC 6265's rules, and the client remembering cookies across
// requests and redirects.
#include <gtest/gtest.h>

#include <sstream>

#include "client_helpers.hpp"
#include "wire/http/client.hpp"
#include "wire/http/cookies.hpp"

namespace {

using wire::http::CookieJar;
using wire::http::Headers;
using wire::http::Url;

Headers set_cookies(std::initializer_list<std::string_view> lines) {
  Headers h;
  for (auto l : lines) h.add("Set-Cookie", l);
  return h;
}

const auto kNow = CookieJar::Clock::from_time_t(1'780'000'000);  // a fixed "now" (2026)

TEST(CookieJar, HostOnlyByDefaultAndSentBackToThatHostOnly) {
  CookieJar jar;
  jar.store(Url::parse("http://www.example.com/a/b"), set_cookies({"id=42"}), kNow);
  EXPECT_EQ(jar.header_for(Url::parse("http://www.example.com/a/c"), kNow), "id=42");
  EXPECT_EQ(jar.header_for(Url::parse("http://sub.www.example.com/a/c"), kNow), "");
  EXPECT_EQ(jar.header_for(Url::parse("http://example.com/a/c"), kNow), "");
  // The default path is the request path's directory: /a.
  EXPECT_EQ(jar.header_for(Url::parse("http://www.example.com/"), kNow), "");
  EXPECT_EQ(jar.header_for(Url::parse("http://www.example.com/ab"), kNow), "");
}

TEST(CookieJar, DomainAttributeCoversSubdomainsButOnlyOfTheSettingHost) {
  CookieJar jar;
  jar.store(Url::parse("http://www.example.com/"),
            set_cookies({"a=1; Domain=.example.com; Path=/", "b=2; Domain=other.com", "c=3; Domain=com"}), kNow);
  EXPECT_EQ(jar.size(), 1u);  // other.com does not cover the host; "com" is a single label
  EXPECT_EQ(jar.header_for(Url::parse("http://api.example.com/x"), kNow), "a=1");
  EXPECT_EQ(jar.header_for(Url::parse("http://example.com/"), kNow), "a=1");
  EXPECT_EQ(jar.header_for(Url::parse("http://badexample.com/"), kNow), "");
}

TEST(CookieJar, NoDomainCookiesForIpAddresses) {
  CookieJar jar;
  jar.store(Url::parse("http://10.0.0.1/"), set_cookies({"a=1; Domain=0.0.1", "b=2"}), kNow);
  EXPECT_EQ(jar.header_for(Url::parse("http://10.0.0.1/"), kNow), "b=2");
  EXPECT_EQ(jar.size(), 1u);
}

TEST(CookieJar, SecureCookiesOnlyOverHttpsAndOnlySetByHttps) {
  CookieJar jar;
  jar.store(Url::parse("http://example.com/"), set_cookies({"a=1; Secure"}), kNow);
  EXPECT_EQ(jar.size(), 0u);
  jar.store(Url::parse("https://example.com/"), set_cookies({"s=1; Secure; Path=/"}), kNow);
  EXPECT_EQ(jar.header_for(Url::parse("https://example.com/x"), kNow), "s=1");
  EXPECT_EQ(jar.header_for(Url::parse("http://example.com/x"), kNow), "");
}

TEST(CookieJar, MaxAgeAndExpiresAndDeletion) {
  CookieJar jar;
  Url u = Url::parse("http://example.com/");
  jar.store(u, set_cookies({"short=1; Max-Age=60", "dated=1; Expires=Wed, 09 Jun 2100 10:18:14 GMT",
                            "old=1; Expires=Wed, 09 Jun 2001 10:18:14 GMT"}),
            kNow);
  EXPECT_EQ(jar.header_for(u, kNow), "short=1; dated=1");
  EXPECT_EQ(jar.header_for(u, kNow + std::chrono::seconds(61)), "dated=1");
  jar.store(u, set_cookies({"dated=gone; Max-Age=0"}), kNow);
  EXPECT_EQ(jar.header_for(u, kNow), "short=1");
}

// RFC 6265 §5.1.1 reads dates in the forms servers really send: an Expires in the past that
// is not an IMF-fixdate still deletes the cookie.
TEST(CookieJar, ExpiresInAnyFormServersSend) {
  CookieJar jar;
  Url u = Url::parse("http://example.com/");
  jar.store(u, set_cookies({"a=1", "b=1", "c=1", "d=1", "e=1"}), kNow);
  EXPECT_EQ(jar.size(), 5u);
  jar.store(u,
            set_cookies({"a=; Expires=Thu, 01 Jan 1970 00:00:00 UTC", "b=; Expires=Thursday, 01-Jan-70 00:00:01 GMT",
                         "c=; expires=Jan 1 2001 00:00:00", "d=; Expires=1 jan 2001 00:00:00 +0100",
                         "e=keep; Expires=Sat, 01 Jan 2101 00:00:00 CET"}),
            kNow);
  EXPECT_EQ(jar.header_for(u, kNow), "e=keep");
}

TEST(CookieJar, ReplacesByNameDomainPathAndOrdersLongerPathsFirst) {
  CookieJar jar;
  Url u = Url::parse("http://example.com/docs/page");
  jar.store(u, set_cookies({"x=1; Path=/", "y=2; Path=/docs", "x=3; Path=/"}), kNow);
  EXPECT_EQ(jar.size(), 2u);
  EXPECT_EQ(jar.header_for(u, kNow), "y=2; x=3");
}

TEST(CookieJar, GarbageIsIgnored) {
  CookieJar jar;
  Url u = Url::parse("http://example.com/");
  jar.store(u, set_cookies({"", "novalue", "=nameless", ";;;", "ok=1; Max-Age=abc; Path=relative"}), kNow);
  EXPECT_EQ(jar.size(), 1u);
  EXPECT_EQ(jar.header_for(u, kNow), "ok=1");
}

// The supercookie attack the Public Suffix List stops: attacker.co.uk sets a cookie for all of
// co.uk, which a jar without the list would then send to bank.co.uk.
TEST(CookieJar, NoCookiesForAPublicSuffix) {
  CookieJar jar;
  jar.store(Url::parse("https://attacker.co.uk/"),
            set_cookies({"session=stolen; Domain=co.uk; Path=/", "b=1; Domain=.co.uk", "own=1; Domain=attacker.co.uk"}),
            kNow);
  EXPECT_EQ(jar.size(), 1u);
  EXPECT_EQ(jar.header_for(Url::parse("https://bank.co.uk/"), kNow), "");
  EXPECT_EQ(jar.header_for(Url::parse("https://www.attacker.co.uk/"), kNow), "own=1");
  // Not only ICANN's suffixes: github.io's sites are one another's strangers too.
  jar.store(Url::parse("https://alice.github.io/"), set_cookies({"x=1; Domain=github.io"}), kNow);
  EXPECT_EQ(jar.header_for(Url::parse("https://bob.github.io/"), kNow), "");
  // A suffix that is the host itself sets a host-only cookie (RFC 6265 5.3 step 5).
  jar.store(Url::parse("http://co.uk/"), set_cookies({"h=1; Domain=co.uk"}), kNow);
  EXPECT_EQ(jar.header_for(Url::parse("http://co.uk/"), kNow), "h=1");
  EXPECT_EQ(jar.header_for(Url::parse("http://bank.co.uk/"), kNow), "");
}

// The Netscape cookie file, as curl -c writes it and curl -b reads it.
TEST(CookieJar, NetscapeFileRoundTrip) {
  CookieJar jar;
  jar.store(Url::parse("https://www.example.com/a/b"),
            set_cookies({"host=1", "dom=2; Domain=example.com; Path=/; Secure; HttpOnly",
                         "dated=3; Path=/a; Max-Age=3600"}),
            kNow);
  std::ostringstream out;
  jar.write_netscape(out, kNow);
  const std::string text = out.str();
  EXPECT_TRUE(text.starts_with("# Netscape HTTP Cookie File\n")) << text;
  EXPECT_NE(text.find("\nwww.example.com\tFALSE\t/a\tFALSE\t0\thost\t1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n#HttpOnly_.example.com\tTRUE\t/\tTRUE\t0\tdom\t2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nwww.example.com\tFALSE\t/a\tFALSE\t1780003600\tdated\t3\n"), std::string::npos) << text;

  CookieJar back;
  std::istringstream in(text);
  EXPECT_EQ(back.read_netscape(in, kNow), 3u);
  for (const char* url : {"https://www.example.com/a/x", "https://api.example.com/", "http://www.example.com/a"}) {
    EXPECT_EQ(back.header_for(Url::parse(url), kNow), jar.header_for(Url::parse(url), kNow)) << url;
  }
  std::ostringstream again;
  back.write_netscape(again, kNow);
  EXPECT_EQ(again.str(), text);
}

TEST(CookieJar, NetscapeFileSkipsWhatIsNotALiveCookie) {
  std::istringstream in(
      "# Netscape HTTP Cookie File\n"
      "\n"
      "example.com\tFALSE\t/\tFALSE\t0\tok\tyes\n"
      "example.com\tFALSE\t/\tFALSE\t1000\texpired\tno\n"   // 1970
      ".co.uk\tTRUE\t/\tFALSE\t0\tsuper\tno\n"               // a public suffix
      "example.com\tFALSE\tno-slash\tFALSE\t0\tbad\tno\n"    // a path must start with /
      "example.com\tFALSE\t/\tFALSE\tsoon\tbad\tno\n"        // not a number
      "too\tfew\tfields\n"
      "example.com\tFALSE\t/\tFALSE\t0\tempty\n"              // six fields: an empty value
      "example.com\tFALSE\t/\tFALSE\t0\ttabbed\ta\tb\r\n");  // the value keeps its tab; CRLF
  CookieJar jar;
  EXPECT_EQ(jar.read_netscape(in, kNow), 3u);
  EXPECT_EQ(jar.header_for(Url::parse("http://example.com/"), kNow), "ok=yes; empty=; tabbed=a\tb");
  EXPECT_EQ(jar.header_for(Url::parse("http://bank.co.uk/"), kNow), "");
}

TEST(CookieJar, TheClientSendsWhatTheServerSetAcrossRequestsAndRedirects) {
  using wire::test::http::RawServer;
  using wire::test::http::read_request;
  std::vector<std::string> seen;
  RawServer server([&](wire::net::Socket& s, int) {
    std::string first = read_request(s);
    seen.push_back(first);
    s.send_all("HTTP/1.1 302 Found\r\nSet-Cookie: session=abc; Path=/\r\nLocation: /home\r\n"
               "Content-Length: 0\r\n\r\n");
    seen.push_back(read_request(s));
    s.send_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
  });
  wire::http::ClientOptions options;
  options.cookies = std::make_shared<CookieJar>();
  wire::http::Client client(options);
  auto r = client.get("http://127.0.0.1:" + std::to_string(server.port()) + "/login");
  EXPECT_EQ(r.body, "hi");
  client.async().close_idle();
  server.join();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].find("Cookie:"), std::string::npos) << seen[0];
  EXPECT_NE(seen[1].find("\r\nCookie: session=abc\r\n"), std::string::npos) << seen[1];
  EXPECT_EQ(options.cookies->size(), 1u);
}

}  // namespace
