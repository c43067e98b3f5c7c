// SPDX-License-Identifier: MIT
// Fuzzes ReplyParser and ClientDialogue: any input, fed whole, byte by byte and cut at points
// the input picks, must give the same transcript (and never crash, leak or overflow); every
// reply reported must be well-formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dialogue/transcript.hpp"
#include "wire/text/chars.hpp"

using namespace wire::dialogue;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  // The first bytes choose the syntax and small limits, so the limit logic is reached often.
  Syntax syntax = data[0] & 1 ? Syntax::smtp : Syntax::ftp;
  ReplyLimits limits;
  limits.max_line_length = 5 + data[1] % 64;
  limits.max_lines = 1 + data[2] % 8;
  limits.max_reply_bytes = 8 + data[2] * 2u;
  limits.accept_bare_lf = data[0] & 2;
  bool eof = data[0] & 4;
  std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  using test::Split;
  auto reference = test::run_replies(input, {Split::whole, 0}, syntax, eof, limits);
  auto bytewise = test::run_replies(input, {Split::bytewise, 0}, syntax, eof, limits);
  auto cut = test::run_replies(input, {Split::random, size}, syntax, eof, limits);
  if (bytewise.lines != reference.lines || cut.lines != reference.lines) std::abort();
  if (bytewise.rest != reference.rest || cut.rest != reference.rest) std::abort();

  // Each reply: a code 100-599 and lines within the limits.
  ReplyParser p(syntax, limits);
  std::string_view rest = input;
  for (int guard = 0; guard < 100000; ++guard) {
    std::size_t n = p.feed(rest);
    rest.remove_prefix(n);
    auto ev = p.next();
    if (ev.kind == ReplyEvent::reply) {
      const Reply& r = p.reply();
      if (r.code < 100 || r.code > 599 || r.lines.empty() || r.lines.size() > limits.max_lines) std::abort();
      for (const auto& line : r.lines) {
        if (line.size() >= limits.max_line_length || wire::text::has_line_break(line)) std::abort();
      }
    } else if (n == 0) {
      break;
    }
  }

  // The dialogue over the same bytes: the same outcome however they arrive.
  auto d1 = test::run_dialogue(input, {Split::whole, 0}, syntax, {"USER a", "PASS b", "RETR c"}, eof);
  auto d2 = test::run_dialogue(input, {Split::random, size + 1}, syntax, {"USER a", "PASS b", "RETR c"}, eof);
  if (d1.lines != d2.lines) std::abort();
  return 0;
}
