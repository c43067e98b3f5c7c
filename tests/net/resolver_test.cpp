// SPDX-License-Identifier: MIT
// wire::net::resolve(): literals, localhost, failures.
#include <gtest/gtest.h>
#include <netdb.h>

#include <algorithm>
#include <string>
#include <system_error>

#include "wire/error.hpp"
#include "wire/net/resolver.hpp"

namespace {

using wire::net::Address;
using wire::net::Family;
using wire::net::resolve;

TEST(Resolve, Ipv4Literal) {
  auto r = resolve("127.0.0.1", 8080);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], Address::parse("127.0.0.1:8080"));
}

TEST(Resolve, Ipv6Literal) {
  auto r = resolve("::1", 443);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], Address::parse("[::1]:443"));
}

TEST(Resolve, BracketedIpv6Literal) {
  auto r = resolve("[::1]", 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], Address::parse("[::1]:1"));
}

TEST(Resolve, Localhost) {
  auto r = resolve("localhost", 25);
  ASSERT_FALSE(r.empty());
  // /etc/hosts here maps localhost to 127.0.0.1 only; ::1 may appear elsewhere.
  EXPECT_NE(std::find(r.begin(), r.end(), Address::parse("127.0.0.1:25")), r.end());
  for (const auto& a : r) {
    EXPECT_TRUE(a.is_loopback()) << a.to_string();
    EXPECT_EQ(a.port(), 25) << a.to_string();
  }
  // No duplicates (getaddrinfo gives one entry per socket type without hints).
  for (std::size_t i = 0; i < r.size(); ++i) {
    for (std::size_t j = i + 1; j < r.size(); ++j) EXPECT_NE(r[i], r[j]);
  }
}

TEST(Resolve, FamilyFilter) {
  auto v4 = resolve("localhost", 1, {.family = Family::ipv4});
  ASSERT_FALSE(v4.empty());
  for (const auto& a : v4) EXPECT_TRUE(a.is_ipv4()) << a.to_string();

  std::error_code ec;
  auto none = resolve("127.0.0.1", 1, {.family = Family::ipv6}, ec);
  EXPECT_TRUE(ec);
  EXPECT_TRUE(none.empty());
}

TEST(Resolve, PassiveEmptyHostIsAnyAddress) {
  auto r = resolve("", 80, {.family = Family::ipv4, .passive = true});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], Address::parse("0.0.0.0:80"));
}

TEST(Resolve, DatagramSocketType) {
  auto r = resolve("127.0.0.1", 53, {.family = std::nullopt, .socket_type = SOCK_DGRAM});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], Address::parse("127.0.0.1:53"));
}

TEST(Resolve, UnknownNameThrowsNamingTheHost) {
  try {
    resolve("nosuch.invalid", 80);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().category(), wire::resolver_category());
    EXPECT_TRUE(std::string(e.what()).starts_with("resolve nosuch.invalid: ")) << e.what();
    EXPECT_STREQ(e.code().category().name(), "resolver");
  }
}

TEST(Resolve, UnknownNameErrorCodeForm) {
  std::error_code ec;
  auto r = resolve("nosuch.invalid", 80, {}, ec);
  EXPECT_TRUE(r.empty());
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec.category(), wire::resolver_category());
  // NXDOMAIN, or "temporary failure" when no DNS server answers.
  EXPECT_TRUE(ec.value() == EAI_NONAME || ec.value() == EAI_AGAIN || ec.value() == EAI_NODATA)
      << ec.value() << " " << ec.message();
  EXPECT_EQ(ec.message(), ::gai_strerror(ec.value()));
}

TEST(Resolve, SuccessClearsErrorCode) {
  std::error_code ec = std::make_error_code(std::errc::io_error);
  auto r = resolve("127.0.0.1", 1, {}, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(r.size(), 1u);
}

}  // namespace
