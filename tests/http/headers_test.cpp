// SPDX-License-Identifier: MIT
#include "wire/http/headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wire::http {
namespace {

using Views = std::vector<std::string_view>;

std::vector<std::string> lines(const Headers& h) {
  std::vector<std::string> out;
  for (auto f : h) out.push_back(std::string(f.name) + ": " + std::string(f.value));
  return out;
}

TEST(Headers, CaseInsensitiveNamesKeepTheirSpelling) {
  Headers h{{"Content-Type", "text/html"}, {"X-Custom", "1"}};
  EXPECT_EQ(h.get("content-type"), "text/html");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "text/html");
  EXPECT_TRUE(h.contains("x-CUSTOM"));
  EXPECT_FALSE(h.contains("X-Custo"));
  EXPECT_EQ(h.get("missing"), std::nullopt);
  EXPECT_EQ(h.get_or("missing", "fallback"), "fallback");
  EXPECT_EQ(h[0].name, "Content-Type");  // as given
}

TEST(Headers, OrderAndRepeats) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("Vary", "Accept");
  h.add("set-cookie", "b=2; Path=/");
  h.add("SET-COOKIE", "c=3");
  EXPECT_EQ(h.size(), 4u);
  EXPECT_EQ(h.count("Set-Cookie"), 3u);
  EXPECT_EQ(h.get("Set-Cookie"), "a=1");  // the first
  EXPECT_EQ(h.get_all("set-cookie"), (Views{"a=1", "b=2; Path=/", "c=3"}));
  EXPECT_EQ(lines(h), (std::vector<std::string>{"Set-Cookie: a=1", "Vary: Accept", "set-cookie: b=2; Path=/",
                                                "SET-COOKIE: c=3"}));
}

TEST(Headers, SetReplacesAllAtTheFirstPlace) {
  Headers h{{"A", "1"}, {"B", "2"}, {"a", "3"}, {"C", "4"}};
  h.set("a", "new");
  EXPECT_EQ(lines(h), (std::vector<std::string>{"A: new", "B: 2", "C: 4"}));
  h.set("D", "5");  // absent: appended
  EXPECT_EQ(lines(h), (std::vector<std::string>{"A: new", "B: 2", "C: 4", "D: 5"}));
}

TEST(Headers, Remove) {
  Headers h{{"A", "1"}, {"B", "2"}, {"a", "3"}};
  EXPECT_EQ(h.remove("A"), 2u);
  EXPECT_EQ(h.remove("A"), 0u);
  EXPECT_EQ(lines(h), (std::vector<std::string>{"B: 2"}));
  h.clear();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.begin(), h.end());
}

TEST(Headers, ManyChangesKeepValuesRight) {
  // set() and remove() leave unused bytes behind until the buffer is compacted.
  Headers h;
  for (int round = 0; round < 200; ++round) {
    h.add("Keep-" + std::to_string(round % 7), std::string(static_cast<std::size_t>(round % 50), 'k'));
    h.set("Counter", std::to_string(round));
    if (round % 3 == 0) h.remove("Keep-" + std::to_string((round + 1) % 7));
  }
  EXPECT_EQ(h.get("counter"), "199");
  EXPECT_EQ(h.count("Counter"), 1u);
  for (auto f : h) {
    if (f.name.rfind("Keep-", 0) == 0) {
      EXPECT_EQ(f.value.find_first_not_of('k'), std::string_view::npos);
    }
  }
}

TEST(Headers, ValuesFromItself) {
  Headers h{{"Original", "value that is long enough not to fit in a small string"}};
  for (int i = 0; i < 20; ++i) h.add(h[0].name, h[0].value);  // may grow the buffer they view
  EXPECT_EQ(h.count("original"), 21u);
  for (auto f : h) EXPECT_EQ(f.value, "value that is long enough not to fit in a small string");
  h.set(h[0].name, h[1].value.substr(0, 5));
  EXPECT_EQ(lines(h), (std::vector<std::string>{"Original: value"}));
}

TEST(Headers, CombinedAndTokens) {
  Headers h{{"Cache-Control", "no-cache"}, {"cache-control", "max-age=0"}, {"Connection", "keep-alive, Upgrade"}};
  EXPECT_EQ(h.combined("Cache-Control"), "no-cache, max-age=0");
  EXPECT_EQ(h.combined("Missing"), "");
  EXPECT_TRUE(h.has_token("connection", "upgrade"));
  EXPECT_TRUE(h.has_token("Connection", "KEEP-ALIVE"));
  EXPECT_FALSE(h.has_token("Connection", "close"));
  EXPECT_FALSE(h.has_token("Connection", "keep"));
  EXPECT_FALSE(h.has_token("Missing", "x"));
}

TEST(Headers, Iteration) {
  Headers h{{"A", "1"}, {"B", "2"}, {"C", "3"}};
  auto it = h.begin();
  EXPECT_EQ((*it).name, "A");
  EXPECT_EQ(it[2].value, "3");
  EXPECT_EQ(h.end() - h.begin(), 3);
  EXPECT_EQ((*(h.end() - 1)).name, "C");
  std::string names;
  for (auto [name, value] : h) names += std::string(name) + "=" + std::string(value) + ";";
  EXPECT_EQ(names, "A=1;B=2;C=3;");
}

TEST(Headers, Equality) {
  EXPECT_EQ((Headers{{"A", "1"}, {"b", "2"}}), (Headers{{"a", "1"}, {"B", "2"}}));
  EXPECT_NE((Headers{{"A", "1"}, {"B", "2"}}), (Headers{{"B", "2"}, {"A", "1"}}));
  EXPECT_NE((Headers{{"A", "x"}}), (Headers{{"A", "X"}}));
}

TEST(HeaderValidation, Tokens) {
  EXPECT_TRUE(is_token("Content-Type"));
  EXPECT_TRUE(is_token("!#$%&'*+-.^_`|~09azAZ"));
  EXPECT_FALSE(is_token(""));
  for (char c : std::string("\"(),/:;<=>?@[\\]{} \t\r\n\x7f", 23)) {
    EXPECT_FALSE(is_token(std::string("A") + c)) << static_cast<int>(c);
  }
  EXPECT_FALSE(is_token(std::string("A\0B", 3)));
  EXPECT_FALSE(is_token("caf\xc3\xa9"));
  EXPECT_TRUE(is_valid_field_name("X-Request-ID"));
  EXPECT_FALSE(is_valid_field_name("X Request"));
}

TEST(HeaderValidation, Values) {
  EXPECT_TRUE(is_valid_field_value(""));
  EXPECT_TRUE(is_valid_field_value("text/html; charset=utf-8"));
  EXPECT_TRUE(is_valid_field_value("a\tb c"));
  EXPECT_TRUE(is_valid_field_value("caf\xc3\xa9"));  // obs-text
  EXPECT_FALSE(is_valid_field_value("a\r\nX-Injected: 1"));
  EXPECT_FALSE(is_valid_field_value("a\rb"));
  EXPECT_FALSE(is_valid_field_value("a\nb"));
  EXPECT_FALSE(is_valid_field_value(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_field_value("a\x01" "b"));
  EXPECT_FALSE(is_valid_field_value("a\x7f" "b"));
  EXPECT_FALSE(is_valid_field_value(" leading"));
  EXPECT_FALSE(is_valid_field_value("trailing\t"));
  EXPECT_FALSE(is_valid_field_value(" "));
}

TEST(HeaderValidation, TrimAndCompare) {
  EXPECT_EQ(trim_ows(" \t value \t "), "value");
  EXPECT_EQ(trim_ows("   "), "");
  EXPECT_EQ(trim_ows("a b"), "a b");
  EXPECT_TRUE(iequals("Keep-Alive", "keep-alive"));
  EXPECT_FALSE(iequals("Keep-Alive", "keep-alive "));
  EXPECT_FALSE(iequals("\xc3\x89", "\xc3\xa9"));  // ASCII only
}

}  // namespace
}  // namespace wire::http
