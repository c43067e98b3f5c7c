// SPDX-License-Identifier: MIT
// encode_command and encode_reply: exact bytes, refusals before a byte is written, and round
// trips through the parsers.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "wire/dialogue.hpp"

namespace wire::dialogue {
namespace {

TEST(EncodeCommand, Forms) {
  std::string out;
  encode_command(out, "PASV");
  encode_command(out, "CWD", "my files/Grüße");
  encode_command(out, "MAIL", {"FROM:<a@example.org>", "SIZE=10"});
  encode_command(out, "OPTS", {"UTF8", "ON"});
  encode_command(out, "RCPT", {"TO:<b@example.org>"});
  std::vector<std::string_view> args{"TLS"};
  encode_command(out, "AUTH", std::span<const std::string_view>(args));
  encode_command(out, "NOOP", "");
  encode_command(out, "quit");  // the verb is sent as given
  EXPECT_EQ(out,
            "PASV\r\nCWD my files/Grüße\r\nMAIL FROM:<a@example.org> SIZE=10\r\nOPTS UTF8 ON\r\n"
            "RCPT TO:<b@example.org>\r\nAUTH TLS\r\nNOOP\r\nquit\r\n");
}

TEST(EncodeCommand, RefusesLineBreaksBeforeWriting) {
  const std::string before = "USER a\r\n";
  for (std::string_view bad : {std::string_view("a\r\nDELE b"), std::string_view("a\r"), std::string_view("\nx"),
                               std::string_view("a\0b", 3)}) {
    SCOPED_TRACE(testing::PrintToString(std::string(bad)));
    std::string out = before;
    try {
      encode_command(out, "RETR", bad);
      ADD_FAILURE() << "not refused";
    } catch (const LocalError& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument);
      // The argument is not repeated in the message.
      EXPECT_EQ(std::string(e.what()).find("DELE"), std::string::npos);
    }
    EXPECT_EQ(out, before);
    // In any position of several arguments.
    EXPECT_THROW(encode_command(out, "MAIL", {"FROM:<a>", bad}), std::invalid_argument);
    EXPECT_THROW(encode_command(out, "MAIL", {bad, "SIZE=1"}), std::invalid_argument);
    EXPECT_EQ(out, before);
    std::error_code ec;
    encode_command(out, "RETR", bad, ec);
    EXPECT_EQ(ec, Errc::invalid_argument);
    std::vector<std::string_view> args{"ok", bad};
    encode_command(out, "MAIL", std::span<const std::string_view>(args), ec);
    EXPECT_EQ(ec, Errc::invalid_argument);
    EXPECT_EQ(out, before);
  }
}

TEST(EncodeCommand, VerbMustBeLetters) {
  for (std::string_view bad : {"", "RE TR", "X-FOO", "MKD1", "RETR\r\n", "ÉTÉ", "\xff\xf4" "ABOR"}) {
    SCOPED_TRACE(std::string(bad));
    std::string out;
    try {
      encode_command(out, bad, "x");
      ADD_FAILURE() << "not refused";
    } catch (const LocalError& e) {
      EXPECT_EQ(e.code(), Errc::invalid_verb);
    }
    std::error_code ec;
    encode_command(out, bad, "x", ec);
    EXPECT_EQ(ec, Errc::invalid_verb);
    EXPECT_EQ(out, "");
  }
  std::string out;
  std::error_code ec = make_error_code(Errc::bare_cr);
  encode_command(out, "STARTTLS", "", ec);
  EXPECT_FALSE(ec);  // cleared on success
  EXPECT_EQ(out, "STARTTLS\r\n");
}

TEST(EncodeCommand, RoundTripThroughTheCommandParser) {
  for (std::string_view arg : {"", "a", " leading", "trailing ", "two  spaces", "Grüße/日本語.txt", "caf\xe9\xff"}) {
    SCOPED_TRACE(std::string(arg));
    std::string out;
    encode_command(out, "Stor", arg);
    CommandParser p(Syntax::ftp);
    EXPECT_EQ(p.feed(out), out.size());
    ASSERT_EQ(p.next().kind, CommandEvent::command);
    EXPECT_EQ(p.command(), (Command{"STOR", std::string(arg)}));
  }
}

TEST(EncodeReply, OneLine) {
  std::string out;
  encode_reply(out, 200, "Command okay.");
  encode_reply(out, 226, "");
  encode_reply(out, 599, "x");
  encode_reply(out, 100, "y");
  EXPECT_EQ(out, "200 Command okay.\r\n226 \r\n599 x\r\n100 y\r\n");
}

TEST(EncodeReply, FtpMultiLine) {
  std::string out;
  encode_reply(out, Syntax::ftp, 211, {"Features:", " EPSV", " MLST type*;size*;", "2 begins with a digit", "End"});
  EXPECT_EQ(out, "211-Features:\r\n EPSV\r\n MLST type*;size*;\r\n 2 begins with a digit\r\n211 End\r\n");
  out.clear();
  encode_reply(out, Syntax::ftp, 220, {});
  EXPECT_EQ(out, "220 \r\n");
}

TEST(EncodeReply, SmtpMultiLine) {
  std::string out;
  encode_reply(out, Syntax::smtp, 250, {"mx.example.org", "PIPELINING", "8BITMIME"});
  EXPECT_EQ(out, "250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
}

TEST(EncodeReply, Refusals) {
  std::string out = "keep";
  try {
    encode_reply(out, 2000, "x");
    ADD_FAILURE() << "not refused";
  } catch (const LocalError& e) {
    EXPECT_EQ(e.code(), Errc::invalid_reply_code);
  }
  EXPECT_THROW(encode_reply(out, 99, "x"), LocalError);
  EXPECT_THROW(encode_reply(out, 600, "x"), LocalError);
  EXPECT_THROW(encode_reply(out, 250, "a\r\n250 forged"), LocalError);
  EXPECT_THROW(encode_reply(out, Syntax::ftp, 250, {"ok", "name\nwith LF", "End"}), LocalError);
  std::error_code ec;
  std::vector<std::string_view> lines{"ok", std::string_view("nul\0", 4)};
  encode_reply(out, Syntax::smtp, 250, std::span<const std::string_view>(lines), ec);
  EXPECT_EQ(ec, Errc::invalid_argument);
  EXPECT_EQ(out, "keep");
}

TEST(EncodeReply, RoundTripThroughTheReplyParser) {
  for (Syntax syntax : {Syntax::ftp, Syntax::smtp}) {
    std::string out;
    std::vector<std::string_view> lines{"first", "second line", "Grüße", "last"};
    encode_reply(out, syntax, 214, std::span<const std::string_view>(lines));
    ReplyParser p(syntax);
    EXPECT_EQ(p.feed(out), out.size());
    ASSERT_EQ(p.next().kind, ReplyEvent::reply);
    EXPECT_EQ(p.reply(), (Reply{214, {"first", "second line", "Grüße", "last"}}));
  }
}

TEST(DialogueErrors, CategoryAndMessages) {
  EXPECT_STREQ(error_category().name(), "dialogue");
  std::set<std::string> messages;
  for (int i = static_cast<int>(Errc::malformed_reply); i <= static_cast<int>(Errc::invalid_reply_code); ++i) {
    std::string m = make_error_code(static_cast<Errc>(i)).message();
    EXPECT_EQ(m.find("unknown"), std::string::npos) << i;
    messages.insert(m);
  }
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(Errc::invalid_reply_code));  // all distinct
  std::error_code ec = Errc::code_mismatch;
  EXPECT_EQ(ec, Errc::code_mismatch);
  EXPECT_NE(ec, std::errc::invalid_argument);
  Error e(Errc::line_too_long, "reply from 127.0.0.1:21: line too long");
  EXPECT_STREQ(e.what(), "reply from 127.0.0.1:21: line too long");
  EXPECT_EQ(e.code(), Errc::line_too_long);
}

}  // namespace
}  // namespace wire::dialogue
