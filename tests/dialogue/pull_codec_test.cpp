// SPDX-License-Identifier: MIT
// The dialogue codecs have the shape io::next_event() pulls events with, and pulled through it
// from a stream that delivers a few bytes at a time they give the same transcript.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "transcript.hpp"
#include "wire/dialogue.hpp"
#include "wire/io/loop.hpp"
#include "wire/io/reader.hpp"

namespace wire::dialogue {
namespace {

static_assert(io::PullCodec<ReplyParser>);
static_assert(io::PullCodec<CommandParser>);
static_assert(io::PullCodec<ClientDialogue>);

// A read_more for next_event() that hands out `input` `step` bytes at a time, then the end.
struct Trickle {
  std::string_view input;
  std::size_t step;
  io::Task<std::size_t> operator()(std::span<std::byte> space, std::error_code& ec) {
    ec.clear();
    std::size_t n = std::min({step, space.size(), input.size()});
    std::memcpy(space.data(), input.data(), n);
    input.remove_prefix(n);
    co_return n;
  }
};

TEST(PullCodec, DialogueThroughNextEvent) {
  for (std::size_t step : {1u, 3u, 1000u}) {
    SCOPED_TRACE(step);
    ClientDialogue d(Syntax::ftp);
    d.send("USER", "anonymous");
    d.send("RETR", "a b");
    std::vector<std::string> got;
    std::error_code ec;
    io::run([&]() -> io::Task<void> {
      net::InputBuffer in;
      Trickle read{"220-Hi\r\n there\r\n220 Ready\r\n230 In\r\n150 Go\r\n226 Done\r\n", step};
      for (int guard = 0; guard < 100; ++guard) {
        DialogueEvent ev = co_await io::next_event(d, in, read, ec);
        if (ec || ev.kind == DialogueEvent::error) break;
        std::string kind = ev.kind == DialogueEvent::preliminary ? "preliminary " : "";
        got.push_back(std::to_string(ev.id) + " " + std::string(ev.verb) + " " + kind + test::reply_line(d.reply()));
      }
    }());
    EXPECT_EQ(ec, wire::Errc::unexpected_eof);  // the stream ended between replies, with nothing outstanding
    EXPECT_EQ(got, (std::vector<std::string>{"0  reply 220 {Hi} { there} {Ready}", "1 USER reply 230 {In}",
                                             "2 RETR preliminary reply 150 {Go}", "2 RETR reply 226 {Done}"}));
  }
}

TEST(PullCodec, CommandsThroughNextEvent) {
  CommandParser p(Syntax::smtp);
  std::vector<std::string> got;
  std::error_code ec;
  io::run([&]() -> io::Task<void> {
    net::InputBuffer in;
    Trickle read{"EHLO a\r\nNOOP\nX\r\nQUIT\r\nPART", 2};
    for (int guard = 0; guard < 100; ++guard) {
      CommandEvent ev = co_await io::next_event(p, in, read, ec);
      if (ec) break;
      got.push_back(ev.kind == CommandEvent::command ? p.command().verb : "bad: " + ev.error.message());
    }
  }());
  EXPECT_EQ(ec, wire::Errc::unexpected_eof);
  EXPECT_EQ(got, (std::vector<std::string>{"EHLO", "bad: LF without CR", "QUIT", "bad: connection closed inside a command line"}));
}

}  // namespace
}  // namespace wire::dialogue
