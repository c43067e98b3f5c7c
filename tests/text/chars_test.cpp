// SPDX-License-Identifier: MIT
// wire::text character classes: ASCII only, whatever the locale.
#include "wire/text/chars.hpp"

#include <gtest/gtest.h>

#include <clocale>

namespace wire::text {
namespace {

TEST(Chars, CaseIsAsciiOnly) {
  EXPECT_TRUE(iequals("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(iequals("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(iequals("\xc3\xa9", "\xc3\x89"));  // é and É: not ASCII, not folded
  EXPECT_TRUE(istarts_with("AUTH TLS", "auth"));
  EXPECT_FALSE(istarts_with("AU", "auth"));
  EXPECT_EQ(to_lower("MiXeD \xc3\x89 Case"), "mixed \xc3\x89 case");
  EXPECT_EQ(to_upper("retr caf\xc3\xa9.txt"), "RETR CAF\xc3\xa9.TXT");
  // A locale that folds more than ASCII changes nothing here.
  std::setlocale(LC_ALL, "C.UTF-8");
  EXPECT_EQ(to_lower("\xc3\x89"), "\xc3\x89");
  std::setlocale(LC_ALL, "C");
}

TEST(Chars, Classes) {
  EXPECT_TRUE(is_token("X-Request-ID"));
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("a b"));
  EXPECT_FALSE(is_token("a:b"));
  EXPECT_TRUE(has_line_break("a\rb"));
  EXPECT_TRUE(has_line_break("a\nb"));
  EXPECT_TRUE(has_line_break(std::string_view("a\0b", 3)));
  EXPECT_FALSE(has_line_break("a\tb \xff"));
  EXPECT_EQ(trim_ows(" \t a b \t"), "a b");
  EXPECT_EQ(trim_ows(" \t "), "");
  int hex = 0, vchar = 0, control = 0;
  for (int i = 0; i < 256; ++i) {
    char c = static_cast<char>(i);
    hex += is_hex(c);
    vchar += is_vchar(c);
    control += is_control(c);
    if (is_hex(c)) {
      EXPECT_EQ(hex_value(c), std::stoi(std::string(1, c), nullptr, 16));
    }
  }
  EXPECT_EQ(hex, 22);
  EXPECT_EQ(vchar, 94);
  EXPECT_EQ(control, 33);
}

}  // namespace
}  // namespace wire::text
