// SPDX-License-Identifier: MIT
// Runs a MessageParser over bytes cut in different ways and writes what it reported as lines
// of text, so a test reads like a transcript and every case is checked whole, byte by byte
// and at random split points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/mime/parser.hpp"

namespace wire::mime::test {

/// How the input reaches the parser.
struct Split {
  enum Kind { whole, bytewise, random } kind = whole;
  std::uint64_t seed = 0;
};

/// "begin <depth> <type/subtype>", "data <bytes>" (a part's data merged, since how it is cut
/// depends on how it arrived), "end-part <depth>", "end", "error: <message>".
std::vector<std::string> run(std::string_view input, Split split, const ParserLimits& limits = {});

/// The line an error event is written as.
std::string error_line(Errc code);

/// Every way of splitting the tests use: whole, bytewise, and `random_runs` random cuts.
std::vector<Split> all_splits(int random_runs = 8);

/// A name for a split, for SCOPED_TRACE.
std::string split_name(Split s);

/// `input` cut as `split` says.
std::vector<std::string_view> cut(std::string_view input, Split split);

}  // namespace wire::mime::test
