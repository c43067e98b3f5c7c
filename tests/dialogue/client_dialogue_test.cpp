// SPDX-License-Identifier: MIT
// ClientDialogue: commands sent, replies fed (whole, byte by byte, at random cuts), and the
// pairing of each reply with the command it answers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transcript.hpp"
#include "wire/dialogue/client_dialogue.hpp"

namespace wire::dialogue {
namespace {

using test::all_splits;
using test::error_line;
using test::run_dialogue;
using test::Split;
using test::split_name;
using Lines = std::vector<std::string>;

void expect_dialogue(Syntax syntax, const std::vector<std::string>& commands, std::string_view replies,
                     const Lines& expected, bool eof = false, Greeting greeting = Greeting::expected) {
  for (Split split : all_splits()) {
    SCOPED_TRACE(split_name(split));
    EXPECT_EQ(run_dialogue(replies, split, syntax, commands, eof, greeting).lines, expected);
  }
}

TEST(ClientDialogue, FtpLogin) {
  expect_dialogue(Syntax::ftp, {"USER anonymous", "PASS guest@", "PWD"},
                  "220-Welcome\r\n to the test server\r\n220 Ready\r\n331 Password please\r\n230 Logged in\r\n"
                  "257 \"/\" is the current directory\r\n",
                  {"#0 reply 220 {Welcome} { to the test server} {Ready}", "#1 USER reply 331 {Password please}",
                   "#2 PASS reply 230 {Logged in}", "#3 PWD reply 257 {\"/\" is the current directory}"});
}

TEST(ClientDialogue, PreliminaryThenFinal) {
  // RFC 959 §5.4: RETR is answered 150 (or 125), then 226 when the data connection is done.
  expect_dialogue(Syntax::ftp, {"TYPE I", "RETR file.bin", "NOOP"},
                  "200 Type set\r\n150 Opening BINARY connection\r\n226 Transfer complete\r\n200 OK\r\n",
                  {"#1 TYPE reply 200 {Type set}", "#2 RETR preliminary 150 {Opening BINARY connection}",
                   "#2 RETR reply 226 {Transfer complete}", "#3 NOOP reply 200 {OK}"},
                  false, Greeting::none);
}

TEST(ClientDialogue, AbortDuringTransfer) {
  // RFC 959 §4.1.3: the aborted command gets 426, then ABOR its own 226.
  expect_dialogue(Syntax::ftp, {"RETR big", "ABOR"},
                  "150 Opening\r\n426 Connection closed; transfer aborted\r\n226 Abort successful\r\n",
                  {"#1 RETR preliminary 150 {Opening}", "#1 RETR reply 426 {Connection closed; transfer aborted}",
                   "#2 ABOR reply 226 {Abort successful}"},
                  false, Greeting::none);
}

TEST(ClientDialogue, GreetingAfterADelay) {
  // RFC 959 §5.4: 120 (ready in nnn minutes) before 220.
  expect_dialogue(Syntax::ftp, {"USER a"}, "120 Ready in 1 minute\r\n220 Ready\r\n331 Password\r\n",
                  {"#0 preliminary 120 {Ready in 1 minute}", "#0 reply 220 {Ready}", "#1 USER reply 331 {Password}"});
}

TEST(ClientDialogue, SmtpPipelining) {
  // RFC 2920: MAIL, the RCPTs and DATA in one write; the message after 354 is expect()ed.
  expect_dialogue(Syntax::smtp,
                  {"EHLO client.example", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>",
                   "RCPT TO:<nobody@example.org>", "DATA", "=message", "QUIT"},
                  "220 mx.example.org ESMTP\r\n250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
                  "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 No such user\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                  "250 2.0.0 Queued\r\n221 2.0.0 Bye\r\n",
                  {"#0 reply 220 {mx.example.org ESMTP}", "#1 EHLO reply 250 {mx.example.org} {PIPELINING} {8BITMIME}",
                   "#2 MAIL reply 250 {2.1.0 Ok}", "#3 RCPT reply 250 {2.1.5 Ok}",
                   "#4 RCPT reply 550 {5.1.1 No such user}", "#5 DATA reply 354 {End data with <CR><LF>.<CR><LF>}",
                   "#6 message reply 250 {2.0.0 Queued}", "#7 QUIT reply 221 {2.0.0 Bye}"});
}

TEST(ClientDialogue, ReplyWithNothingOutstanding) {
  expect_dialogue(Syntax::ftp, {}, "220 Ready\r\n500 What?\r\n",
                  {"#0 reply 220 {Ready}", error_line(Errc::unexpected_reply)});
  expect_dialogue(Syntax::smtp, {"NOOP"}, "250 Ok\r\n250 Ok\r\n", {"#1 NOOP reply 250 {Ok}", error_line(Errc::unexpected_reply)},
                  false, Greeting::none);
  // Without a greeting expected, a server that speaks first is answering nothing.
  expect_dialogue(Syntax::smtp, {}, "220 Hello\r\n", {error_line(Errc::unexpected_reply)}, false, Greeting::none);
  // A 1yz answers nothing either.
  expect_dialogue(Syntax::ftp, {}, "220 Ready\r\n150 What?\r\n", {"#0 reply 220 {Ready}", error_line(Errc::unexpected_reply)});
}

TEST(ClientDialogue, UnsolicitedServiceClosing) {
  expect_dialogue(Syntax::ftp, {}, "220 Ready\r\n421 Timeout.\r\n", {"#0 reply 220 {Ready}", "closing 421 {Timeout.}"});
  // Once: nothing may follow it.
  expect_dialogue(Syntax::ftp, {}, "220 Ready\r\n421 Timeout.\r\n421 Again\r\n",
                  {"#0 reply 220 {Ready}", "closing 421 {Timeout.}", error_line(Errc::unexpected_reply)});
  // With a command outstanding, the 421 is its reply.
  expect_dialogue(Syntax::smtp, {"MAIL FROM:<a@b>"}, "220 Hi\r\n421 4.3.2 Shutting down\r\n",
                  {"#0 reply 220 {Hi}", "#1 MAIL reply 421 {4.3.2 Shutting down}"});
}

TEST(ClientDialogue, ParserErrorsStopTheDialogue) {
  expect_dialogue(Syntax::ftp, {"USER a"}, "220 Ready\r\nSSH-2.0-OpenSSH_9.2\r\n331 x\r\n",
                  {"#0 reply 220 {Ready}", error_line(Errc::malformed_reply)});
  expect_dialogue(Syntax::smtp, {"EHLO a"}, "220 Ready\r\n250-a\r\n", {"#0 reply 220 {Ready}", error_line(Errc::truncated_reply)},
                  true);
}

TEST(ClientDialogue, OutputAndIds) {
  ClientDialogue d(Syntax::smtp);
  EXPECT_EQ(d.outstanding(), 1u);  // the greeting
  EXPECT_EQ(d.send("EHLO", "client.example"), 1u);
  EXPECT_EQ(d.send("MAIL", {"FROM:<a@example.org>", "SIZE=10"}), 2u);
  std::vector<std::string_view> params{"TO:<b@example.org>", "NOTIFY=NEVER"};
  EXPECT_EQ(d.send("RCPT", std::span<const std::string_view>(params)), 3u);
  EXPECT_EQ(d.send("DATA"), 4u);
  EXPECT_EQ(d.expect("message"), 5u);
  EXPECT_EQ(d.outstanding(), 6u);
  EXPECT_EQ(d.output(),
            "EHLO client.example\r\nMAIL FROM:<a@example.org> SIZE=10\r\nRCPT TO:<b@example.org> NOTIFY=NEVER\r\n"
            "DATA\r\n");
  d.consume_output(21);
  EXPECT_EQ(d.output().substr(0, 4), "MAIL");
  d.consume_output(1000);
  EXPECT_EQ(d.output(), "");
}

TEST(ClientDialogue, RefusedCommandChangesNothing) {
  ClientDialogue d(Syntax::ftp, {}, Greeting::none);
  d.send("NOOP");
  EXPECT_THROW(d.send("RETR", "a\r\nDELE b"), LocalError);
  EXPECT_THROW(d.send("RETR", "a\nDELE b"), LocalError);
  EXPECT_THROW(d.send("MAIL", {"FROM:<a>", std::string_view("x\0y", 3)}), LocalError);
  EXPECT_THROW(d.send("RE TR", "a"), LocalError);
  EXPECT_THROW(d.send(""), LocalError);
  EXPECT_EQ(d.output(), "NOOP\r\n");
  EXPECT_EQ(d.outstanding(), 1u);
  EXPECT_EQ(d.send("QUIT"), 2u);  // no id was used by the refusals
}

TEST(ClientDialogue, EventsNameTheCommandAndReplyStaysUntilFeed) {
  ClientDialogue d(Syntax::ftp, {}, Greeting::none);
  auto retr = d.send("RETR", "x");
  std::string in = "150 Go\r\n226 Done\r\n";
  std::size_t n = d.feed(in);
  EXPECT_EQ(n, 8u);
  DialogueEvent ev = d.next();
  EXPECT_EQ(ev.kind, DialogueEvent::preliminary);
  EXPECT_EQ(ev.id, retr);
  EXPECT_EQ(ev.verb, "RETR");
  EXPECT_EQ(d.outstanding(), 1u);
  EXPECT_TRUE(d.in_reply() == false);
  EXPECT_EQ(d.reply(), (Reply{150, {"Go"}}));
  EXPECT_EQ(d.next().kind, DialogueEvent::need_more);
  EXPECT_EQ(d.feed(std::string_view(in).substr(n)), 10u);
  ev = d.next();
  EXPECT_EQ(ev.kind, DialogueEvent::reply);
  EXPECT_EQ(ev.id, retr);
  EXPECT_EQ(ev.verb, "RETR");
  EXPECT_EQ(d.outstanding(), 0u);
  EXPECT_EQ(d.take_reply(), (Reply{226, {"Done"}}));
  EXPECT_FALSE(d.error());
}

TEST(ClientDialogue, StartTlsLeavesWhatFollowsWithTheCaller) {
  // A man in the middle appends a forged reply after 220 to STARTTLS: feed() stops at the
  // end of the 220, so the driver sees bytes left over and refuses them.
  ClientDialogue d(Syntax::smtp, {}, Greeting::none);
  d.send("STARTTLS");
  std::string in = "220 2.0.0 Ready to start TLS\r\n250 forged\r\n";
  std::size_t n = d.feed(in);
  EXPECT_EQ(d.next().kind, DialogueEvent::reply);
  EXPECT_EQ(d.reply().code, 220);
  EXPECT_EQ(in.substr(n), "250 forged\r\n");
  EXPECT_FALSE(d.in_reply());
  EXPECT_EQ(d.outstanding(), 0u);
}

TEST(ClientDialogue, ErrorIsSticky) {
  ClientDialogue d(Syntax::ftp);
  EXPECT_EQ(d.feed("HTTP/1.1 400\r\n"), 13u);
  EXPECT_EQ(d.next().kind, DialogueEvent::error);
  EXPECT_EQ(d.error(), Errc::malformed_reply);
  EXPECT_EQ(d.feed("220 x\r\n"), 0u);
  EXPECT_EQ(d.next().kind, DialogueEvent::error);
}

}  // namespace
}  // namespace wire::dialogue
