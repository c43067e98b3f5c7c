// SPDX-License-Identifier: MIT
#include "wire/text/url.hpp"
#include "wire/text/percent.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wire::text {
namespace {

TEST(Url, Components) {
  auto u = Url::parse("https://user:pa%20ss@Example.COM:8443/a/b;p?q=1&r=%2F#frag");
  EXPECT_EQ(u.scheme(), "https");
  EXPECT_TRUE(u.has_authority());
  EXPECT_TRUE(u.has_userinfo());
  EXPECT_EQ(u.userinfo(), "user:pa%20ss");
  EXPECT_EQ(u.username(), "user");
  EXPECT_EQ(u.password(), "pa ss");
  EXPECT_EQ(u.host(), "example.com");
  EXPECT_EQ(u.host_kind(), HostKind::name);
  EXPECT_EQ(u.explicit_port(), 8443);
  EXPECT_EQ(u.port(), 8443);
  EXPECT_EQ(u.path(), "/a/b;p");
  EXPECT_TRUE(u.has_query());
  EXPECT_EQ(u.query(), "q=1&r=%2F");
  EXPECT_TRUE(u.has_fragment());
  EXPECT_EQ(u.fragment(), "frag");
  EXPECT_EQ(u.authority(), "user:pa%20ss@example.com:8443");
  EXPECT_EQ(u.host_header(), "example.com:8443");
  EXPECT_EQ(u.target(), "/a/b;p?q=1&r=%2F");
  EXPECT_EQ(u.str(), "https://user:pa%20ss@example.com:8443/a/b;p?q=1&r=%2F#frag");
  EXPECT_TRUE(u.is_absolute());
}

TEST(Url, FtpAndMailUrls) {
  auto ftp = Url::parse("ftp://anna:s%3Acret@files.example.com/pub/My%20Docs/a%C3%A9.txt");
  EXPECT_EQ(ftp.scheme(), "ftp");
  EXPECT_EQ(ftp.username(), "anna");
  EXPECT_EQ(ftp.password(), "s:cret");
  EXPECT_EQ(ftp.host(), "files.example.com");
  EXPECT_EQ(ftp.port(), 21);
  EXPECT_EQ(percent_decode(ftp.path()), "/pub/My Docs/a\xc3\xa9.txt");
  auto mail = Url::parse("smtps://mail.example.com");
  EXPECT_EQ(mail.port(), 465);
  EXPECT_EQ(mail.path(), "");
  EXPECT_EQ(Url::parse("ftps://[::1]:2121/").port(), 2121);
  EXPECT_THROW(Url::parse("ftp://a b/"), UrlError);
}

TEST(Url, DefaultPorts) {
  EXPECT_EQ(Url::parse("http://a/").port(), 80);
  EXPECT_EQ(Url::parse("https://a/").port(), 443);
  EXPECT_EQ(Url::parse("ftp://a/").port(), 21);
  EXPECT_EQ(Url::parse("ftps://a/").port(), 990);
  EXPECT_EQ(Url::parse("smtp://a/").port(), 25);
  EXPECT_EQ(Url::parse("smtps://a").port(), 465);
  EXPECT_EQ(Url::parse("SMTPS://a").port(), 465);
  EXPECT_EQ(Url::parse("smtp://a:587").port(), 587);
  EXPECT_EQ(Url::parse("gopher://a/").port(), 0);
  EXPECT_EQ(Url::parse("http://a/").explicit_port(), std::nullopt);
  EXPECT_EQ(Url::parse("http://a:/").explicit_port(), std::nullopt);  // empty port (RFC 3986 §3.2.3)
  EXPECT_EQ(Url::parse("http://a:/").str(), "http://a/");
  // The Host header leaves out the default port, the URL keeps what was written.
  auto u = Url::parse("http://a:80/");
  EXPECT_EQ(u.host_header(), "a");
  EXPECT_EQ(u.str(), "http://a:80/");
  EXPECT_EQ(Url::parse("http://a:0/").port(), 0);
  EXPECT_EQ(Url::parse("http://a:65535/").port(), 65535);
  EXPECT_EQ(Url::parse("http://a:0080/").port(), 80);
}

TEST(Url, Ipv4) {
  auto u = Url::parse("http://192.0.2.10:8080/x");
  EXPECT_EQ(u.host(), "192.0.2.10");
  EXPECT_EQ(u.host_kind(), HostKind::ipv4);
  EXPECT_EQ(u.host_header(), "192.0.2.10:8080");
}

TEST(Url, Ipv6) {
  auto u = Url::parse("http://[2001:DB8::1]:8080/x");
  EXPECT_EQ(u.host(), "2001:db8::1");
  EXPECT_EQ(u.host_kind(), HostKind::ipv6);
  EXPECT_EQ(u.port(), 8080);
  EXPECT_EQ(u.host_header(), "[2001:db8::1]:8080");
  EXPECT_EQ(u.str(), "http://[2001:db8::1]:8080/x");
  EXPECT_EQ(Url::parse("http://[::1]/").host(), "::1");
  EXPECT_EQ(Url::parse("http://[::]/").host(), "::");
  EXPECT_EQ(Url::parse("http://[1:2:3:4:5:6:7:8]/").host(), "1:2:3:4:5:6:7:8");
  EXPECT_EQ(Url::parse("http://[::ffff:192.0.2.1]/").host(), "::ffff:192.0.2.1");
  EXPECT_EQ(Url::parse("http://[1:2:3:4:5:6:1.2.3.4]/").host(), "1:2:3:4:5:6:1.2.3.4");
  EXPECT_EQ(Url::parse("http://[1::]/").host(), "1::");
}

TEST(Url, Ipv6Zone) {
  // RFC 6874: the zone follows "%25"; it is not sent in Host.
  auto u = Url::parse("http://[fe80::1%25eth0]:8080/");
  EXPECT_EQ(u.host(), "fe80::1");
  EXPECT_EQ(u.zone(), "eth0");
  EXPECT_EQ(u.host_header(), "[fe80::1]:8080");
  EXPECT_EQ(u.str(), "http://[fe80::1%25eth0]:8080/");
  EXPECT_EQ(Url::parse("http://[fe80::1%25en%2D1]/").zone(), "en-1");
  EXPECT_THROW(Url::parse("http://[fe80::1%eth0]/"), UrlError);
  EXPECT_THROW(Url::parse("http://[fe80::1%25]/"), UrlError);
}

TEST(Url, BadIpv6) {
  for (const char* text : {"http://[1:2:3:4:5:6:7:8:9]/", "http://[1:2:3:4:5:6:7]/", "http://[::1::2]/",
                           "http://[12345::]/", "http://[:1]/", "http://[1:]/", "http://[g::]/", "http://[]/",
                           "http://[::1/", "http://[::1]x/", "http://[1:2:3:4:5:6:7:1.2.3.4]/",
                           "http://[::1.2.3]/", "http://::1/"}) {
    SCOPED_TRACE(text);
    EXPECT_THROW(Url::parse(text), UrlError);
  }
  try {
    Url::parse("http://[v1.fe]/");
    FAIL();
  } catch (const UrlError& e) {
    EXPECT_EQ(e.problem(), "IPvFuture literals are not supported");
  }
}

TEST(Url, NumericHostsMustBeDottedQuads) {
  // What inet_aton would read as an address is refused unless it is the plain form.
  for (const char* text : {"http://127.1/", "http://0x7f.0.0.1/", "http://2130706433/", "http://1.2.3.256/",
                           "http://01.2.3.4/", "http://1.2.3.4.5/", "http://example.123/", "http://a.0x10/"}) {
    SCOPED_TRACE(text);
    EXPECT_THROW(Url::parse(text), UrlError);
  }
  EXPECT_EQ(Url::parse("http://1.2.3.4.example/").host_kind(), HostKind::name);
  EXPECT_EQ(Url::parse("http://0.0.0.0/").host_kind(), HostKind::ipv4);
  EXPECT_EQ(Url::parse("http://255.255.255.255/").host_kind(), HostKind::ipv4);
}

TEST(Url, AbsentAndEmptyDiffer) {
  auto bare = Url::parse("http://a/");
  EXPECT_FALSE(bare.has_query());
  EXPECT_FALSE(bare.has_fragment());
  auto empty = Url::parse("http://a/?#");
  EXPECT_TRUE(empty.has_query());
  EXPECT_EQ(empty.query(), "");
  EXPECT_TRUE(empty.has_fragment());
  EXPECT_EQ(empty.str(), "http://a/?#");
  EXPECT_NE(bare, empty);
  EXPECT_EQ(Url::parse("http://a").path(), "");
  EXPECT_EQ(Url::parse("http://a").target(), "/");
  EXPECT_EQ(Url::parse("http://a?x").target(), "/?x");
  auto no_user = Url::parse("http://@a/");
  EXPECT_TRUE(no_user.has_userinfo());
  EXPECT_EQ(no_user.userinfo(), "");
  EXPECT_EQ(no_user.str(), "http://@a/");
  EXPECT_EQ(Url::parse("http://u@a/").password(), std::nullopt);
  EXPECT_EQ(Url::parse("http://u:@a/").password(), "");
}

TEST(Url, RelativeReferences) {
  auto r = Url::parse("../a/b?c#d");
  EXPECT_FALSE(r.is_absolute());
  EXPECT_FALSE(r.has_authority());
  EXPECT_EQ(r.path(), "../a/b");
  EXPECT_EQ(r.str(), "../a/b?c#d");
  auto net = Url::parse("//example.com/x");
  EXPECT_TRUE(net.has_authority());
  EXPECT_EQ(net.host(), "example.com");
  EXPECT_EQ(net.scheme(), "");
  EXPECT_EQ(Url::parse("").str(), "");
  EXPECT_EQ(Url::parse("?q").query(), "q");
  EXPECT_EQ(Url::parse("#f").fragment(), "f");
  EXPECT_EQ(Url::parse("a:b").scheme(), "a");  // a scheme, not a path
  EXPECT_EQ(Url::parse("./a:b").path(), "./a:b");
  auto mail = Url::parse("mailto:someone@example.com");
  EXPECT_EQ(mail.scheme(), "mailto");
  EXPECT_EQ(mail.path(), "someone@example.com");
  EXPECT_EQ(Url::parse("file:///etc/hosts").host_kind(), HostKind::none);
  EXPECT_EQ(Url::parse("HTTP://A/B").str(), "http://a/B");  // scheme and host are case-insensitive
}

TEST(Url, ErrorsNameTheInputAndTheProblem) {
  try {
    Url::parse("http://exa mple.com/");
    FAIL();
  } catch (const UrlError& e) {
    EXPECT_EQ(e.input(), "http://exa mple.com/");
    EXPECT_EQ(e.problem(), "space at offset 10 (percent-encode it as %20)");
    EXPECT_STREQ(e.what(), "invalid URL \"http://exa mple.com/\": space at offset 10 (percent-encode it as %20)");
  }
  // Control characters are escaped in the message, so it stays on one line.
  try {
    Url::parse("http://a/\r\nX-Injected: 1");
    FAIL();
  } catch (const UrlError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("\\x0d\\x0a"), std::string::npos);
    EXPECT_EQ(e.problem(), "byte 0x0D at offset 9");
  }
  struct Case {
    const char* input;
    const char* problem;
  } cases[] = {
      {"http://a/%zz", "'%' at offset 9 is not followed by two hex digits (percent-encode it as %25)"},
      {"http://a/%4", "'%' at offset 9 is not followed by two hex digits (percent-encode it as %25)"},
      {"http://a/caf\xc3\xa9", "byte 0xC3 at offset 12 (percent-encode non-ASCII bytes)"},
      {"http://a/<script>", "'<' at offset 9 (percent-encode it as %3C)"},
      {"1http://x/", "\"1http\" is not a scheme (a letter, then letters, digits, '+', '-' or '.')"},
      {":foo", "empty scheme before ':'"},
      {"http://a@b@c/", "'@' in the host at offset 10 (percent-encode it as %40)"},
      {"http://[::1/", "'[' without ']' in the host"},
      {"http://a:1:2/", "more than one ':' in the authority (an IPv6 address must be in brackets)"},
      {"http://a:http/", "port \"http\" is not a number"},
      {"http://a:65536/", "port 65536 is out of range (0-65535)"},
      {"http://a/b#c#d", "'#' in the fragment at offset 12"},
      {"http://a/[x]", "'[' in the path at offset 9"},
      {"http://a/?q=[1]", "'[' in the query at offset 12"},
      {"http://127.1/", "\"127.1\" is not a valid IPv4 address (four decimal numbers 0-255)"},
      {"http://[::g]/", "\"::g\" is not a valid IPv6 address"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    try {
      Url::parse(c.input);
      ADD_FAILURE() << "parsed";
    } catch (const UrlError& e) {
      EXPECT_EQ(e.problem(), c.problem);
      EXPECT_EQ(e.input(), c.input);
    }
  }
}

TEST(Url, ParseHttp) {
  auto u = Url::parse_http("HTTP://Example.com");
  EXPECT_EQ(u.scheme(), "http");
  EXPECT_EQ(u.target(), "/");
  struct Case {
    const char* input;
    const char* problem;
  } cases[] = {
      {"ftp://a/", "scheme \"ftp\" is not http or https"},
      {"/relative", "no scheme (expected http:// or https://)"},
      {"example.com", "no scheme (expected http:// or https://)"},
      {"http:///x", "no host"},
      {"http:g", "no host"},
      {"https://:443/", "no host"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    try {
      Url::parse_http(c.input);
      ADD_FAILURE() << "parsed";
    } catch (const UrlError& e) {
      EXPECT_EQ(e.problem(), c.problem);
    }
  }
}

// RFC 3986 §5.4: resolution examples, base "http://a/b/c/d;p?q".
struct Example {
  const char* reference;
  const char* result;
};

const Example kNormal[] = {
    {"g:h", "g:h"},
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"},
    {"g#s", "http://a/b/c/g#s"},
    {"g?y#s", "http://a/b/c/g?y#s"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"},
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
};

const Example kAbnormal[] = {
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"},
    {"http:g", "http:g"},  // strict
};

TEST(UrlResolve, Rfc3986NormalExamples) {
  Url base = Url::parse("http://a/b/c/d;p?q");
  for (const Example& e : kNormal) {
    EXPECT_EQ(resolve(base, e.reference).str(), e.result) << "reference \"" << e.reference << "\"";
  }
}

TEST(UrlResolve, Rfc3986AbnormalExamples) {
  Url base = Url::parse("http://a/b/c/d;p?q");
  for (const Example& e : kAbnormal) {
    EXPECT_EQ(resolve(base, e.reference).str(), e.result) << "reference \"" << e.reference << "\"";
  }
}

TEST(UrlResolve, Redirects) {
  Url base = Url::parse("https://example.com:8443/a/b?x=1#top");
  EXPECT_EQ(resolve(base, "/c").str(), "https://example.com:8443/c");
  EXPECT_EQ(resolve(base, "c?y").str(), "https://example.com:8443/a/c?y");
  EXPECT_EQ(resolve(base, "//other.org/x").str(), "https://other.org/x");
  EXPECT_EQ(resolve(base, "http://plain.org").str(), "http://plain.org");
  EXPECT_EQ(resolve(base, "").str(), "https://example.com:8443/a/b?x=1");  // the fragment is not inherited
  Url resolved = resolve(base, "/c");
  EXPECT_EQ(resolved.port(), 8443);
  EXPECT_EQ(resolved.host_kind(), HostKind::name);
  // A base with an authority and an empty path (RFC 3986 §5.2.3).
  EXPECT_EQ(resolve(Url::parse("http://a"), "b").str(), "http://a/b");
}

TEST(UrlResolve, BaseMustBeAbsolute) {
  EXPECT_THROW(resolve(Url::parse("/relative"), "x"), UrlError);
}

TEST(UrlResolve, RemoveDotSegments) {
  // RFC 3986 §5.2.4's two walk-throughs.
  EXPECT_EQ(remove_dot_segments("/a/b/c/./../../g"), "/a/g");
  EXPECT_EQ(remove_dot_segments("mid/content=5/../6"), "mid/6");
  EXPECT_EQ(remove_dot_segments("/.."), "/");
  EXPECT_EQ(remove_dot_segments(".."), "");
  EXPECT_EQ(remove_dot_segments("a/./b/../../c"), "/c");
  EXPECT_EQ(remove_dot_segments("/a/b/"), "/a/b/");
}

TEST(PercentEncoding, Encode) {
  EXPECT_EQ(percent_encode("a b/c?d=\xc3\xa9", "/"), "a%20b/c%3Fd%3D%C3%A9");
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("/"), "%2F");
  EXPECT_EQ(percent_encode(std::string("\0\r\n", 3)), "%00%0D%0A");
}

TEST(PercentEncoding, Decode) {
  EXPECT_EQ(percent_decode("a%20b%2fc"), "a b/c");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b%2B", true), "a b+");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_THROW(percent_decode("%"), UrlError);
  EXPECT_THROW(percent_decode("%4"), UrlError);
  EXPECT_THROW(percent_decode("%G0"), UrlError);
}

TEST(PercentEncoding, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  std::string encoded = percent_encode(all);
  EXPECT_EQ(percent_decode(encoded), all);
  // What percent_encode produces is a valid path.
  EXPECT_EQ(Url::parse("http://a/" + encoded).path(), "/" + encoded);
}

}  // namespace
}  // namespace wire::text
