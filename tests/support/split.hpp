// SPDX-License-Identifier: MIT
// The ways a codec test cuts its input: whole, byte by byte, and at random points, so that
// every transcript is checked however the bytes arrive.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wire::test {

/// How the input reaches a parser.
struct Split {
  enum Kind { whole, bytewise, random } kind = whole;
  std::uint64_t seed = 0;
};

/// `input` cut as `split` says: one piece, one byte a piece, or pieces of random sizes
/// (mostly small, sometimes large, sometimes empty) from a generator seeded with split.seed.
std::vector<std::string_view> cut(std::string_view input, Split split);

/// Every way of splitting the tests use: whole, bytewise, and `random_runs` random cuts.
std::vector<Split> all_splits(int random_runs = 8);

/// "whole", "byte by byte" or "random cuts, seed N", for SCOPED_TRACE.
std::string split_name(Split split);

}  // namespace wire::test
