// SPDX-License-Identifier: MIT
// Runs an HTTP parser over bytes cut in different ways and writes what it reported as lines
// of text, so a test reads like a transcript and every case is checked whole, byte by byte
// and at random split points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/split.hpp"
#include "wire/http/parser.hpp"

namespace wire::http::test {

using wire::test::all_splits;
using wire::test::Split;

/// The transcript of one run: "head ...", "data ..." (adjacent data merged, since how a body
/// is cut depends on how it arrived), "end", "end trailers{...}", "upgrade", "error: <message>".
struct Run {
  std::vector<std::string> lines;
  std::string rest;  ///< bytes the parser did not consume when it stopped (upgrade or error)
};

/// Feeds `input` the way the design describes: feed, drain next() until need_more, drop what
/// was consumed, feed the rest or the next piece; then feed_eof() if `eof`.
Run run_requests(std::string_view input, Split split, bool eof = false, const ParserLimits& limits = {});
Run run_responses(std::string_view input, Split split, bool eof = false, const ParserLimits& limits = {},
                  std::vector<std::string> methods = {});

/// The line an error event is written as.
std::string error_line(Errc code);

}  // namespace wire::http::test
