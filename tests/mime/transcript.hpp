// SPDX-License-Identifier: MIT
// Runs a MessageParser over bytes cut in different ways and writes what it reported as lines
// of text, so a test reads like a transcript and every case is checked whole, byte by byte
// and at random split points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/split.hpp"
#include "wire/mime/parser.hpp"

namespace wire::mime::test {

using wire::test::all_splits;
using wire::test::cut;
using wire::test::Split;
using wire::test::split_name;

/// "begin <depth> <type/subtype>", "data <bytes>" (a part's data merged, since how it is cut
/// depends on how it arrived), "end-part <depth>", "end", "error: <message>".
std::vector<std::string> run(std::string_view input, Split split, const ParserLimits& limits = {});

/// The line an error event is written as.
std::string error_line(Errc code);

}  // namespace wire::mime::test
