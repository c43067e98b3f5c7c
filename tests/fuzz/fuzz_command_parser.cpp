// SPDX-License-Identifier: MIT
// Fuzzes CommandParser: the same transcript however the input arrives, every command a verb
// of upper-case letters with an argument that holds no CR, LF or NUL, and nothing stored past
// the line limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dialogue/transcript.hpp"
#include "wire/text/chars.hpp"

using namespace wire::dialogue;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Syntax syntax = data[0] & 1 ? Syntax::smtp : Syntax::ftp;
  CommandLimits limits;
  limits.max_line_length = 4 + data[1] % 128;
  limits.accept_bare_lf = data[0] & 2;
  bool eof = data[0] & 4;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  using test::Split;
  auto reference = test::run_commands(input, {Split::whole, 0}, syntax, eof, limits);
  auto bytewise = test::run_commands(input, {Split::bytewise, 0}, syntax, eof, limits);
  auto cut = test::run_commands(input, {Split::random, size}, syntax, eof, limits);
  if (bytewise.lines != reference.lines || cut.lines != reference.lines) std::abort();

  CommandParser p(syntax, limits);
  std::string_view rest = input;
  for (int guard = 0; guard < 100000 && !rest.empty(); ++guard) {
    std::size_t n = p.feed(rest);
    if (n == 0) std::abort();  // every event consumes a byte; no event means all was taken
    rest.remove_prefix(n);
    CommandEvent ev = p.next();
    if (ev.kind == CommandEvent::command) {
      const Command& c = p.command();
      if (c.verb.empty()) std::abort();
      for (char ch : c.verb) {
        if (ch < 'A' || ch > 'Z') std::abort();
      }
      if (wire::text::has_line_break(c.arg)) std::abort();
      // The line held at least the verb, SP and the argument, and its end.
      std::size_t least = c.verb.size() + (c.arg.empty() ? 0 : 1 + c.arg.size()) + (limits.accept_bare_lf ? 1 : 2);
      if (least > limits.max_line_length) std::abort();
    }
  }
  return 0;
}
