// SPDX-License-Identifier: MIT
// CommandParser: transcripts of a client's bytes in and commands out, each checked whole, byte
// by byte and cut at random points.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/random.hpp"
#include "transcript.hpp"
#include "wire/dialogue/command_parser.hpp"

namespace wire::dialogue {
namespace {

using test::all_splits;
using test::bad_line;
using test::run_commands;
using test::Split;
using test::split_name;
using Lines = std::vector<std::string>;

void expect_commands(Syntax syntax, std::string_view input, const Lines& expected, bool eof = false,
                     const CommandLimits& limits = {}) {
  for (Split split : all_splits()) {
    SCOPED_TRACE(split_name(split));
    EXPECT_EQ(run_commands(input, split, syntax, eof, limits).lines, expected);
  }
}

void expect_both(std::string_view input, const Lines& expected, bool eof = false, const CommandLimits& limits = {}) {
  {
    SCOPED_TRACE("ftp");
    expect_commands(Syntax::ftp, input, expected, eof, limits);
  }
  {
    SCOPED_TRACE("smtp");
    expect_commands(Syntax::smtp, input, expected, eof, limits);
  }
}

// --- well-formed commands --------------------------------------------------------------------

TEST(CommandParser, VerbAndArgument) {
  expect_both("USER anonymous\r\nPASS guest@\r\nSYST\r\n",
              {"command USER {anonymous}", "command PASS {guest@}", "command SYST {}"});
}

TEST(CommandParser, VerbIsCaseInsensitive) {
  // RFC 959 §5.3: commands may be in any case; RFC 5321 §2.4 likewise.
  expect_both("user Bob\r\nRetr File.TXT\r\nehlo Client.Example\r\n",
              {"command USER {Bob}", "command RETR {File.TXT}", "command EHLO {Client.Example}"});
}

TEST(CommandParser, ArgumentKeptExactly) {
  // Everything after the first SP: spaces at either end, several spaces, UTF-8 and Latin-1.
  expect_both(
      "CWD  leading space\r\n"
      "STOR trailing space \r\n"
      "RETR my  file name.txt\r\n"
      "STOR Grüße/日本語 ✓.txt\r\n"
      "RETR caf\xe9\xff.txt\r\n"
      "MAIL FROM:<a@example.org> SIZE=1000\r\n"
      "NOOP \r\n"
      "SITE\tX\r\n",
      {"command CWD { leading space}", "command STOR {trailing space }", "command RETR {my  file name.txt}",
       "command STOR {Grüße/日本語 ✓.txt}", "command RETR {caf\xe9\xff.txt}",
       "command MAIL {FROM:<a@example.org> SIZE=1000}", "command NOOP {}", "bad: malformed command line"});
}

TEST(CommandParser, TelnetBytesBeforeTheVerbInFtp) {
  // RFC 959 §4.1.3: IAC IP, then the Synch (IAC DM), before ABOR; with or without the DM
  // (lost with the urgent byte when the server does not set SO_OOBINLINE).
  expect_commands(Syntax::ftp, "\xff\xf4\xff\xf2" "ABOR\r\n\xff\xf4\xff" "ABOR\r\n\xff\xf2STAT\r\n",
                  {"command ABOR {}", "command ABOR {}", "command STAT {}"});
  // Only before the verb: an argument keeps its bytes.
  expect_commands(Syntax::ftp, "RETR \xff\xf4name\r\n", {"command RETR {\xff\xf4name}"});
  // SMTP has no Telnet: the line is refused.
  expect_commands(Syntax::smtp, "\xff\xf4\xff\xf2QUIT\r\n", {bad_line(Errc::malformed_command)});
  // Telnet bytes and nothing else is no command.
  expect_commands(Syntax::ftp, "\xff\xf4\xff\xf2\r\n", {bad_line(Errc::malformed_command)});
}

TEST(CommandParser, Pipelined) {
  expect_both("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\n",
              {"command MAIL {FROM:<a@b>}", "command RCPT {TO:<c@d>}", "command RCPT {TO:<e@f>}", "command DATA {}"});
}

// --- refused lines ---------------------------------------------------------------------------

TEST(CommandParser, MalformedLinesAreReportedAndSkipped) {
  for (std::string bad : {"\r\n", " NOOP\r\n", "123\r\n", "X-FOO bar\r\n", "NOOP\targ\r\n", "NO-OP\r\n", "é\r\n",
                          "RETR/x\r\n"}) {
    SCOPED_TRACE(bad);
    expect_both(bad + "QUIT\r\n", {bad_line(Errc::malformed_command), "command QUIT {}"});
  }
}

TEST(CommandParser, BareLfIsNoLineEnd) {
  // RFC 5321 §2.3.8: only CRLF ends a line. The LF is refused where it stands, and the line
  // it is in goes on to the next CRLF: "QUIT" here is part of the refused line, never a command.
  expect_both("NOOP\nQUIT\r\nSYST\r\n", {bad_line(Errc::bare_lf), "command SYST {}"});
  expect_both("\nNOOP\r\n", {bad_line(Errc::bare_lf)});
}

TEST(CommandParser, BareLfEndsALineWhenAccepted) {
  CommandLimits lenient;
  lenient.accept_bare_lf = true;
  expect_both("NOOP\nQUIT\r\nUSER a\n", {"command NOOP {}", "command QUIT {}", "command USER {a}"}, false, lenient);
}

TEST(CommandParser, BareCr) {
  expect_both("NO\rOP\r\nQUIT\r\n", {bad_line(Errc::bare_cr), "command QUIT {}"});
  expect_both("NOOP\r\r\nQUIT\r\n", {bad_line(Errc::bare_cr), "command QUIT {}"});
  expect_both("NOOP\r\rX\r\nQUIT\r\n", {bad_line(Errc::bare_cr), "command QUIT {}"});
  expect_both(std::string_view("RETR a\r\0b\r\nQUIT\r\n", 17), {bad_line(Errc::bare_cr), "command QUIT {}"});
}

TEST(CommandParser, NulByte) {
  expect_both(std::string_view("RETR a\0b\r\nQUIT\r\n", 16), {bad_line(Errc::nul_byte), "command QUIT {}"});
  expect_both(std::string_view("\0\0\0\r\nQUIT\r\n", 11), {bad_line(Errc::nul_byte), "command QUIT {}"});
}

TEST(CommandParser, SeveralProblemsInOneLineAreOneRefusal) {
  expect_both(std::string_view("A\nB\rC\0D\r\nQUIT\r\n", 15), {bad_line(Errc::bare_lf), "command QUIT {}"});
}

// --- limits ----------------------------------------------------------------------------------

TEST(CommandParser, LineLengthLimitIsExact) {
  CommandLimits limits;
  limits.max_line_length = 16;
  // "RETR " + 9 + CRLF = 16 bytes: passes; one more byte is refused, and the next line is read.
  expect_both("RETR 123456789\r\nRETR 123456789A\r\nQUIT\r\n",
              {"command RETR {123456789}", bad_line(Errc::line_too_long), "command QUIT {}"}, false, limits);
  // With bare LF accepted the line end may be one byte.
  limits.accept_bare_lf = true;
  expect_both("RETR 123456789A\nRETR 123456789AB\nQUIT\n",
              {"command RETR {123456789A}", bad_line(Errc::line_too_long), "command QUIT {}"}, false, limits);
}

TEST(CommandParser, LongLineRefusedAtOnceAndSkippedWithoutStoring) {
  CommandParser p(Syntax::smtp);
  std::string line = "MAIL FROM:<" + std::string(100'000, 'a');
  std::size_t n = p.feed(line);
  // Refused at the first byte past the limit (8 KiB with CRLF).
  EXPECT_EQ(n, 8 * 1024 - 1u);
  CommandEvent ev = p.next();
  EXPECT_EQ(ev.kind, CommandEvent::bad_line);
  EXPECT_EQ(ev.error, Errc::line_too_long);
  // The rest of the line is taken without another event.
  EXPECT_EQ(p.feed(std::string_view(line).substr(n)), line.size() - n);
  EXPECT_EQ(p.next().kind, CommandEvent::need_more);
  EXPECT_EQ(p.feed(">\r\n"), 3u);
  EXPECT_EQ(p.next().kind, CommandEvent::need_more);
  EXPECT_EQ(p.feed("RSET\r\n"), 6u);
  EXPECT_EQ(p.next().kind, CommandEvent::command);
  EXPECT_EQ(p.command(), (Command{"RSET", ""}));
}

TEST(CommandParser, Truncated) {
  expect_both("NOOP", {bad_line(Errc::truncated_command)}, true);
  expect_both("NOOP\r", {bad_line(Errc::truncated_command)}, true);
  expect_both("QUIT\r\n", {"command QUIT {}"}, true);
  expect_both("", {}, true);
  // A line already refused is not reported again.
  expect_both(std::string_view("NO\0OP", 5), {bad_line(Errc::nul_byte)}, true);
}

// --- the API ---------------------------------------------------------------------------------

TEST(CommandParser, FeedStopsAfterEachEvent) {
  CommandParser p(Syntax::ftp);
  std::string in = "USER a\r\nPASS b\r\n";
  EXPECT_EQ(p.feed(in), 8u);
  EXPECT_THROW(p.feed(std::string_view(in).substr(8)), std::logic_error);
  EXPECT_THROW(p.feed_eof(), std::logic_error);
  CommandEvent ev = p.next();
  EXPECT_EQ(ev.kind, CommandEvent::command);
  EXPECT_FALSE(ev.error);
  EXPECT_EQ(p.command(), (Command{"USER", "a"}));
  EXPECT_EQ(p.next().kind, CommandEvent::need_more);
  EXPECT_EQ(p.feed(std::string_view(in).substr(8)), 8u);
  EXPECT_EQ(p.next().kind, CommandEvent::command);
  EXPECT_EQ(p.command(), (Command{"PASS", "b"}));
  p.feed_eof();
  EXPECT_EQ(p.next().kind, CommandEvent::need_more);
  EXPECT_EQ(p.feed("QUIT\r\n"), 0u);
}

TEST(CommandParser, RefusalConsumesTheByteThatShowsIt) {
  // So a caller's loop (feed, drain, erase what was used) always moves on.
  CommandParser p(Syntax::ftp);
  EXPECT_EQ(p.feed("AB\nCD\r\n"), 3u);
  EXPECT_EQ(p.next().error, Errc::bare_lf);
  EXPECT_EQ(p.feed(std::string_view("\0X\r\n", 4)), 4u);  // skipping: no event
  EXPECT_EQ(p.next().kind, CommandEvent::need_more);
}

TEST(CommandParser, FeedBytes) {
  CommandParser p(Syntax::smtp);
  std::string in = "QUIT\r\n";
  std::vector<std::byte> bytes(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) bytes[i] = static_cast<std::byte>(in[i]);
  EXPECT_EQ(p.feed(std::span<const std::byte>(bytes)), in.size());
  EXPECT_EQ(p.next().kind, CommandEvent::command);
  EXPECT_EQ(p.command().verb, "QUIT");
}

TEST(CommandParser, GarbageGivesTheSameOutcomeHoweverSplit) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::string garbage = wire::test::random_string(400, seed);
    if (seed % 2) garbage += "\r\nNOOP\r\n";
    for (Syntax syntax : {Syntax::ftp, Syntax::smtp}) {
      Lines reference = run_commands(garbage, {Split::whole, 0}, syntax, true).lines;
      if (seed % 2) {
        ASSERT_FALSE(reference.empty());
        EXPECT_EQ(reference.back(), "command NOOP {}");
      }
      for (Split split : all_splits(2)) EXPECT_EQ(run_commands(garbage, split, syntax, true).lines, reference);
    }
  }
}

}  // namespace
}  // namespace wire::dialogue
