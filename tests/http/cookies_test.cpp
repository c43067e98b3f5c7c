// SPDX-License-Identifier: MIT
// CookieJar by RFC 6265's rules, and the client remembering cookies across
// requests and redirects.
#include <gtest/gtest.h>

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
