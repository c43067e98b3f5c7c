// SPDX-License-Identifier: MIT
// Addresses: what is valid to send, what a reader accepts (RFC 5322 §3.4, §4.4; RFC 6532).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/mime/error.hpp"
#include "wire/mime/mailbox.hpp"

namespace wire::mime {
namespace {

using Boxes = std::vector<Mailbox>;

TEST(Address, Validity) {
  for (auto good : {"a@example.com", "first.last+tag@sub.example.org", "\"john doe\"@example.com", "\"a\\\"b\"@x",
                    "user@[192.0.2.1]", "user@localhost", "!#$%&'*+-/=?^_`{|}~@x", "jörg@bücher.example"}) {
    EXPECT_TRUE(is_valid_address(good)) << good;
  }
  for (auto bad : {"", "no-at-sign", "@example.com", "a@", "a..b@x", ".a@x", "a.@x", "a b@x", "a@b c", "a@x..y",
                   "a@[x", "<a@x>", "a@x\r\n", "\"unclosed@x", "a@x@y"}) {
    EXPECT_FALSE(is_valid_address(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_address(std::string(65, 'a') + "@x"));
  EXPECT_TRUE(is_valid_address(std::string(64, 'a') + "@x"));
  EXPECT_FALSE(is_valid_address("bad\xff@x"));
  // fuzz_address, crash-b893feb2: a domain literal holding '@' (and '<', '>', ',': all dtext)
  // parsed, but the check split the address at the literal's '@' and called it invalid.
  EXPECT_TRUE(is_valid_address("i'nerax@[,Azutb<o@rg>]"));
  EXPECT_FALSE(is_valid_address("a[@x]"));
  EXPECT_FALSE(is_valid_address("[x]"));
  std::error_code ec;
  Boxes list = parse_address_list("i'nerax@[,Azutb<o@rg>]", ec);
  ASSERT_FALSE(ec);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].address, "i'nerax@[,Azutb<o@rg>]");
  EXPECT_EQ(format_address_list(list), "i'nerax@[,Azutb<o@rg>]");
  EXPECT_TRUE(needs_smtputf8("jörg@example.com"));
  EXPECT_FALSE(needs_smtputf8("jorg@example.com"));
}

TEST(Address, Format) {
  EXPECT_EQ(format_mailbox({"", "a@x.org"}), "a@x.org");
  EXPECT_EQ(format_mailbox({"Anna", "a@x.org"}), "Anna <a@x.org>");
  EXPECT_EQ(format_mailbox({"Müller, Anna", "a@x.org"}), "=?utf-8?q?M=C3=BCller=2C_Anna?= <a@x.org>");
  Boxes list{{"A", "a@x.org"}, {"", "b@y.org"}};
  EXPECT_EQ(format_address_list(list), "A <a@x.org>, b@y.org");
  EXPECT_THROW(format_mailbox({"", "a@x.org\r\nBcc: evil@x"}), std::invalid_argument);
  EXPECT_THROW(format_mailbox({"Evil\r\nBcc: x@y", "a@x.org"}), std::invalid_argument);
  EXPECT_THROW(format_mailbox({std::string("Nul\0", 4), "a@x.org"}), std::invalid_argument);
  EXPECT_THROW(format_mailbox({"", "not an address"}), std::invalid_argument);
}

TEST(AddressList, Parses) {
  EXPECT_EQ(parse_address_list("a@x.org"), (Boxes{{"", "a@x.org"}}));
  EXPECT_EQ(parse_address_list("Anna Smith <a@x.org>, \"Smith, Bob\" <b@y.org>"),
            (Boxes{{"Anna Smith", "a@x.org"}, {"Smith, Bob", "b@y.org"}}));
  EXPECT_EQ(parse_address_list("=?utf-8?q?Bj=C3=B6rn?= =?utf-8?q?_A?= <b@x.org>"), (Boxes{{"Björn A", "b@x.org"}}));
  EXPECT_EQ(parse_address_list("\"=?utf-8?q?Bj=C3=B6rn?=\" <b@x.org>"), (Boxes{{"Björn", "b@x.org"}}));
  EXPECT_EQ(parse_address_list("(comment) a@x.org (another), , John Q. Public <jqp@x.org>"),
            (Boxes{{"", "a@x.org"}, {"John Q. Public", "jqp@x.org"}}));
  EXPECT_EQ(parse_address_list("team: a@x.org, B <b@x.org>;, c@x.org"),
            (Boxes{{"", "a@x.org"}, {"B", "b@x.org"}, {"", "c@x.org"}}));
  EXPECT_EQ(parse_address_list("undisclosed-recipients:;"), Boxes{});
  EXPECT_EQ(parse_address_list("<@route.example,@other.example:a@x.org>"), (Boxes{{"", "a@x.org"}}));
  EXPECT_EQ(parse_address_list("john . doe @ example . com"), (Boxes{{"", "john.doe@example.com"}}));
  EXPECT_EQ(parse_address_list("\"john\"@x.org, \"john doe\"@x.org"),
            (Boxes{{"", "john@x.org"}, {"", "\"john doe\"@x.org"}}));
  EXPECT_EQ(parse_address_list("jörg@bücher.example"), (Boxes{{"", "jörg@bücher.example"}}));
  EXPECT_EQ(parse_address_list("a@[192.0.2.1]"), (Boxes{{"", "a@[192.0.2.1]"}}));
  EXPECT_EQ(parse_address_list(""), Boxes{});
}

TEST(AddressList, RefusesGarbage) {
  for (auto bad : {"a", "a@", "@x", "<a@x.org", "a@x.org>", "Name <>", "a@x.org b@y.org", "(unclosed a@x.org",
                   "\"unclosed <a@x.org>", "a..b@x.org", "g: a@x.org", "g: h: a@x.org;;", "a@x.org\x01",
                   "\"a\\", "a@x.\xff"}) {
    std::error_code ec;
    auto list = parse_address_list(bad, ec);
    EXPECT_EQ(ec, Errc::bad_address) << bad;
    EXPECT_TRUE(list.empty());
    EXPECT_THROW(parse_address_list(bad), Error) << bad;
  }
  EXPECT_EQ(parse_mailbox("Anna <a@x.org>"), (Mailbox{"Anna", "a@x.org"}));
  EXPECT_THROW(parse_mailbox("a@x.org, b@x.org"), Error);
  EXPECT_THROW(parse_mailbox(""), Error);
}

}  // namespace
}  // namespace wire::mime
