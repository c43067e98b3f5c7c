// SPDX-License-Identifier: MIT
// wire::net::Address, split_host_port() and parse_port(): parsing, formatting, errors.
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <ostream>
#include <stdexcept>
#include <string>

#include "wire/net/address.hpp"

namespace {

using wire::net::Address;
using wire::net::Family;

// Expects `fn` to throw std::invalid_argument whose message contains every needle.
template <class F>
void expect_invalid(F&& fn, std::initializer_list<std::string> needles) {
  try {
    fn();
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    for (const auto& needle : needles) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << "message '" << e.what() << "' lacks '" << needle << "'";
    }
  }
}

TEST(Address, DefaultIsEmpty) {
  Address a;
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(a.is_ipv4() || a.is_ipv6() || a.is_unix());
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.to_string(), "(no address)");
  EXPECT_FALSE(a.is_loopback());
  EXPECT_EQ(a, Address());
}

TEST(Address, ParseIpv4) {
  auto a = Address::parse("192.0.2.10:8080");
  EXPECT_TRUE(a.is_ipv4());
  EXPECT_EQ(a.family(), Family::ipv4);
  EXPECT_EQ(a.host(), "192.0.2.10");
  EXPECT_EQ(a.port(), 8080);
  EXPECT_EQ(a.scope_id(), 0u);
  EXPECT_EQ(a.size(), sizeof(sockaddr_in));
  EXPECT_EQ(a.to_string(), "192.0.2.10:8080");
  auto* sin = reinterpret_cast<const sockaddr_in*>(a.data());
  EXPECT_EQ(sin->sin_family, AF_INET);
  EXPECT_EQ(ntohs(sin->sin_port), 8080);
  EXPECT_EQ(ntohl(sin->sin_addr.s_addr), 0xC000020Au);
}

TEST(Address, IpLiteralAndPort) {
  EXPECT_EQ(Address::ip("10.1.2.3", 0).to_string(), "10.1.2.3:0");
  EXPECT_EQ(Address::ip("10.1.2.3", 65535).to_string(), "10.1.2.3:65535");
  EXPECT_EQ(Address::ip("::", 7).to_string(), "[::]:7");
  EXPECT_EQ(Address::ip("2001:DB8::1", 7).host(), "2001:db8::1");  // canonical form
}

TEST(Address, ParseIpv6) {
  auto a = Address::parse("[2001:db8::1]:443");
  EXPECT_TRUE(a.is_ipv6());
  EXPECT_EQ(a.family(), Family::ipv6);
  EXPECT_EQ(a.host(), "2001:db8::1");
  EXPECT_EQ(a.port(), 443);
  EXPECT_EQ(a.scope_id(), 0u);
  EXPECT_EQ(a.size(), sizeof(sockaddr_in6));
  EXPECT_EQ(a.to_string(), "[2001:db8::1]:443");
}

TEST(Address, Ipv6RoundTrips) {
  for (const char* text : {"[::1]:80", "[::]:0", "[2001:db8:0:1:2:3:4:5]:65535", "[::ffff:127.0.0.1]:1",
                           "[fe80::1%lo]:8080"}) {
    SCOPED_TRACE(text);
    auto a = Address::parse(text);
    EXPECT_EQ(a.to_string(), text);
    EXPECT_EQ(Address::parse(a.to_string()), a);
  }
}

TEST(Address, Ipv6ScopeIdByNumberAndByName) {
  unsigned lo = ::if_nametoindex("lo");
  ASSERT_NE(lo, 0u) << "no loopback interface";
  auto by_name = Address::parse("[fe80::1%lo]:80");
  EXPECT_EQ(by_name.scope_id(), lo);
  EXPECT_EQ(by_name.host(), "fe80::1%lo");
  EXPECT_EQ(by_name.to_string(), "[fe80::1%lo]:80");

  auto by_number = Address::parse("[fe80::1%" + std::to_string(lo) + "]:80");
  EXPECT_EQ(by_number.scope_id(), lo);
  EXPECT_EQ(by_number, by_name);
  EXPECT_EQ(by_number.to_string(), "[fe80::1%lo]:80");  // printed by name

  auto unscoped = Address::parse("[fe80::1]:80");
  EXPECT_EQ(unscoped.scope_id(), 0u);
  EXPECT_NE(unscoped, by_name);

  // An index with no interface is kept and printed as a number.
  auto numeric = Address::ip("fe80::1%4000000", 1);
  EXPECT_EQ(numeric.scope_id(), 4000000u);
  EXPECT_EQ(numeric.to_string(), "[fe80::1%4000000]:1");
}

TEST(Address, UnixPath) {
  auto a = Address::parse("/tmp/wire test.sock");
  EXPECT_TRUE(a.is_unix());
  EXPECT_EQ(a.family(), Family::local);
  EXPECT_EQ(a.host(), "/tmp/wire test.sock");
  EXPECT_EQ(a.port(), 0);
  EXPECT_EQ(a.to_string(), "/tmp/wire test.sock");
  // Length as the kernel reports it: the path and its terminating NUL.
  EXPECT_EQ(a.size(), offsetof(sockaddr_un, sun_path) + sizeof("/tmp/wire test.sock"));
  EXPECT_EQ(Address::unix_path("/tmp/wire test.sock"), a);
  EXPECT_FALSE(a.is_loopback());
}

TEST(Address, UnixAbstractName) {
  auto a = Address::parse("@wire-abstract");
  EXPECT_TRUE(a.is_unix());
  EXPECT_EQ(a.to_string(), "@wire-abstract");
  auto* sun = reinterpret_cast<const sockaddr_un*>(a.data());
  EXPECT_EQ(sun->sun_path[0], '\0');
  EXPECT_EQ(std::string(sun->sun_path + 1, 13), "wire-abstract");
  // No terminating NUL: the length ends an abstract name.
  EXPECT_EQ(a.size(), offsetof(sockaddr_un, sun_path) + 1 + 13);
  EXPECT_NE(a, Address::unix_path("/wire-abstract"));
  EXPECT_NE(a, Address::unix_path("@wire-abstrac"));
}

TEST(Address, LongestUnixPathFitsOneMoreDoesNot) {
  constexpr std::size_t max = sizeof(sockaddr_un::sun_path) - 1;  // room for the NUL
  std::string longest = "/" + std::string(max - 1, 'p');
  EXPECT_EQ(Address::unix_path(longest).to_string(), longest);
  std::string too_long = longest + "p";
  expect_invalid([&] { Address::unix_path(too_long); }, {too_long, "longer than 107 bytes"});
  expect_invalid([&] { Address::parse(too_long); }, {too_long, "longer than"});
  expect_invalid([] { Address::unix_path(""); }, {"empty Unix path"});
}

TEST(Address, WithPort) {
  auto v4 = Address::parse("127.0.0.1:1").with_port(2);
  EXPECT_EQ(v4.to_string(), "127.0.0.1:2");
  auto v6 = Address::parse("[fe80::1%lo]:1").with_port(65535);
  EXPECT_EQ(v6.to_string(), "[fe80::1%lo]:65535");
  EXPECT_EQ(v6.scope_id(), Address::parse("[fe80::1%lo]:1").scope_id());
  expect_invalid([] { (void)Address::unix_path("/x").with_port(1); }, {"with_port", "/x"});
}

TEST(Address, IsLoopback) {
  EXPECT_TRUE(Address::parse("127.0.0.1:1").is_loopback());
  EXPECT_TRUE(Address::parse("127.255.0.9:1").is_loopback());
  EXPECT_TRUE(Address::parse("[::1]:1").is_loopback());
  EXPECT_TRUE(Address::parse("[::ffff:127.0.0.2]:1").is_loopback());
  EXPECT_FALSE(Address::parse("128.0.0.1:1").is_loopback());
  EXPECT_FALSE(Address::parse("126.255.255.255:1").is_loopback());
  EXPECT_FALSE(Address::parse("0.0.0.0:1").is_loopback());
  EXPECT_FALSE(Address::parse("[::]:1").is_loopback());
  EXPECT_FALSE(Address::parse("[::2]:1").is_loopback());
  EXPECT_FALSE(Address::parse("[::ffff:10.0.0.1]:1").is_loopback());
  EXPECT_FALSE(Address::parse("/tmp/x").is_loopback());
}

TEST(Address, Equality) {
  EXPECT_EQ(Address::parse("1.2.3.4:5"), Address::ip("1.2.3.4", 5));
  EXPECT_NE(Address::parse("1.2.3.4:5"), Address::parse("1.2.3.4:6"));
  EXPECT_NE(Address::parse("1.2.3.4:5"), Address::parse("1.2.3.5:5"));
  EXPECT_EQ(Address::parse("[::1]:5"), Address::ip("0:0::1", 5));
  EXPECT_NE(Address::parse("[::1]:5"), Address::parse("[::1]:6"));
  // Different families never compare equal, even for the "same" host.
  EXPECT_NE(Address::parse("127.0.0.1:5"), Address::parse("[::ffff:127.0.0.1]:5"));
  EXPECT_NE(Address::parse("/a"), Address::parse("/b"));
  EXPECT_NE(Address::parse("/a"), Address());
}

TEST(Address, FromSockaddr) {
  auto a = Address::parse("[2001:db8::7]:99");
  auto b = Address::from_sockaddr(a.data(), a.size());
  EXPECT_EQ(a, b);
  EXPECT_EQ(b.to_string(), "[2001:db8::7]:99");
  sockaddr_storage big{};
  EXPECT_THROW(Address::from_sockaddr(reinterpret_cast<sockaddr*>(&big), sizeof big + 1),
               std::invalid_argument);
}

// Each bad input: the exception's message names the input and says what is wrong.
struct BadInput {
  const char* text;
  const char* reason;
};

void PrintTo(const BadInput& bad, std::ostream* os) { *os << "'" << bad.text << "'"; }

class AddressParseError : public testing::TestWithParam<BadInput> {};

TEST_P(AddressParseError, NamesInputAndReason) {
  const auto& bad = GetParam();
  expect_invalid([&] { Address::parse(bad.text); }, {"'" + std::string(bad.text) + "'", bad.reason});
  EXPECT_FALSE(Address::try_parse(bad.text).has_value());
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, AddressParseError,
    testing::Values(BadInput{"1.2.3", "missing ':port'"},
                    BadInput{"1.2.3:80", "not an IP literal"},
                    BadInput{"[::1", "missing ']'"},
                    BadInput{"host:70000", "must be 0-65535"},
                    BadInput{"", "empty"},
                    BadInput{"[::1]80", "expected ':port' after ']'"},
                    BadInput{"::1:80", "must be in brackets"},
                    BadInput{"1.2.3.4:", "not a decimal number"},
                    BadInput{"1.2.3.4:abc", "not a decimal number"},
                    BadInput{"1.2.3.4:-1", "not a decimal number"},
                    BadInput{"1.2.3.4:99999999999999999999", "must be 0-65535"},
                    BadInput{"[]:80", "empty IPv6 literal"},
                    BadInput{":80", "empty host"},
                    BadInput{"[1.2.3.4x]:80", "not an IPv4 address"},
                    BadInput{"[::g]:80", "not an IPv6 address"},
                    BadInput{"[fe80::1%]:80", "scope id"},
                    BadInput{"[fe80::1%nosuchif0]:80", "nosuchif0"},
                    BadInput{"256.1.1.1:80", "not an IP literal"}),
    [](const testing::TestParamInfo<BadInput>& param) { return "case" + std::to_string(param.index); });

TEST(Address, IpRejectsBadLiterals) {
  expect_invalid([] { Address::ip("1.2.3", 1); }, {"'1.2.3'", "not an IPv4 address"});
  expect_invalid([] { Address::ip("", 1); }, {"''", "empty host"});
  expect_invalid([] { Address::ip("::g", 1); }, {"'::g'", "not an IPv6 address"});
  expect_invalid([] { Address::ip("example.com", 1); }, {"'example.com'"});
}

TEST(Address, TryParse) {
  auto ok = Address::try_parse("[::1]:8080");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->to_string(), "[::1]:8080");
  EXPECT_EQ(Address::try_parse("@name")->to_string(), "@name");
  EXPECT_EQ(Address::try_parse("localhost:80"), std::nullopt);
  EXPECT_EQ(Address::try_parse("1.2.3"), std::nullopt);
}

TEST(SplitHostPort, Forms) {
  auto a = wire::net::split_host_port("example.com:80");
  EXPECT_EQ(a.host, "example.com");
  EXPECT_EQ(a.port, 80);
  auto b = wire::net::split_host_port("[::1]:8080");
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 8080);
  auto c = wire::net::split_host_port("[fe80::1%eth0]:0");
  EXPECT_EQ(c.host, "fe80::1%eth0");
  EXPECT_EQ(c.port, 0);
  auto d = wire::net::split_host_port("127.0.0.1:65535");
  EXPECT_EQ(d.host, "127.0.0.1");
  EXPECT_EQ(d.port, 65535);
}

TEST(SplitHostPort, Errors) {
  expect_invalid([] { wire::net::split_host_port("example.com"); }, {"'example.com'", "missing ':port'"});
  expect_invalid([] { wire::net::split_host_port("example.com:http"); },
                 {"'example.com:http'", "not a decimal number"});
  expect_invalid([] { wire::net::split_host_port("h:65536"); }, {"'h:65536'", "must be 0-65535"});
  expect_invalid([] { wire::net::split_host_port("::1:80"); }, {"'::1:80'", "brackets"});
  expect_invalid([] { wire::net::split_host_port("[::1]"); }, {"'[::1]'", "expected ':port'"});
  expect_invalid([] { wire::net::split_host_port(""); }, {"empty"});
}

TEST(ParsePort, AcceptsDecimal0To65535) {
  EXPECT_EQ(wire::net::parse_port("0"), 0);
  EXPECT_EQ(wire::net::parse_port("1"), 1);
  EXPECT_EQ(wire::net::parse_port("080"), 80);
  EXPECT_EQ(wire::net::parse_port("65535"), 65535);
}

TEST(ParsePort, RejectsOthers) {
  expect_invalid([] { wire::net::parse_port("65536"); }, {"'65536'", "must be 0-65535"});
  expect_invalid([] { wire::net::parse_port("4294967296"); }, {"'4294967296'", "must be 0-65535"});
  expect_invalid([] { wire::net::parse_port(""); }, {"''", "not a decimal number"});
  expect_invalid([] { wire::net::parse_port("-1"); }, {"'-1'", "not a decimal number"});
  expect_invalid([] { wire::net::parse_port("+1"); }, {"'+1'", "not a decimal number"});
  expect_invalid([] { wire::net::parse_port("80 "); }, {"'80 '", "not a decimal number"});
  expect_invalid([] { wire::net::parse_port(" 80"); }, {"' 80'", "not a decimal number"});
  expect_invalid([] { wire::net::parse_port("0x50"); }, {"'0x50'", "not a decimal number"});
}

}  // namespace
