// SPDX-License-Identifier: MIT
#include "support/split.hpp"

#include <algorithm>
#include <random>

namespace wire::test {

std::vector<std::string_view> cut(std::string_view input, Split split) {
  std::vector<std::string_view> pieces;
  switch (split.kind) {
    case Split::whole:
      pieces.push_back(input);
      break;
    case Split::bytewise:
      for (std::size_t i = 0; i < input.size(); ++i) pieces.push_back(input.substr(i, 1));
      break;
    case Split::random: {
      std::mt19937_64 rng(split.seed);
      std::size_t i = 0;
      while (i < input.size()) {
        // Mostly small pieces, sometimes large, sometimes empty.
        std::size_t n = rng() % 4 == 0 ? rng() % 64 : rng() % 8;
        n = std::min(n, input.size() - i);
        pieces.push_back(input.substr(i, n));
        i += n;
      }
      break;
    }
  }
  return pieces;
}

std::vector<Split> all_splits(int random_runs) {
  std::vector<Split> splits{{Split::whole, 0}, {Split::bytewise, 0}};
  for (int i = 0; i < random_runs; ++i) splits.push_back({Split::random, static_cast<std::uint64_t>(i + 1)});
  return splits;
}

std::string split_name(Split split) {
  switch (split.kind) {
    case Split::whole:
      return "whole";
    case Split::bytewise:
      return "byte by byte";
    case Split::random:
      return "random cuts, seed " + std::to_string(split.seed);
  }
  return "?";
}

}  // namespace wire::test
