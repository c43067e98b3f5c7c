// SPDX-License-Identifier: MIT
// Runs the dialogue codecs over bytes cut in different ways and writes what they reported as
// lines of text, so a test reads like a transcript and every case is checked whole, byte by
// byte and at random split points.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/split.hpp"
#include "wire/dialogue.hpp"

namespace wire::dialogue::test {

using wire::test::all_splits;
using wire::test::Split;
using wire::test::split_name;

/// The transcript of one run.
struct Run {
  std::vector<std::string> lines;
  std::string rest;  ///< bytes not consumed when the codec stopped (after a sticky error)
};

/// "reply 250 {first} {second}": the code and each line's text in braces.
std::string reply_line(const Reply& reply);
/// "error: <message>" for a sticky error, "bad: <message>" for a refused command line.
std::string error_line(Errc code);
std::string bad_line(Errc code);

/// Feeds `input` the way the design describes: feed, drain next() until need_more, drop what
/// was consumed, feed the rest or the next piece; then feed_eof() if `eof`.
/// Lines: "reply ..." and "error: ...".
Run run_replies(std::string_view input, Split split, Syntax syntax, bool eof = false,
                const ReplyLimits& limits = {});
/// Lines: "command VERB {arg}" and "bad: ...".
Run run_commands(std::string_view input, Split split, Syntax syntax, bool eof = false,
                 const CommandLimits& limits = {});
/// Sends `commands` (each "VERB" or "VERB arg"; a line "=label" is expect(label)) on a
/// ClientDialogue, then feeds `input` as the server's replies. Lines: "#id VERB reply ...",
/// "#id VERB preliminary ...", "closing ...", "error: ...". The greeting is "#0".
Run run_dialogue(std::string_view input, Split split, Syntax syntax, const std::vector<std::string>& commands,
                 bool eof = false, Greeting greeting = Greeting::expected);

}  // namespace wire::dialogue::test
