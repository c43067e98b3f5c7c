// SPDX-License-Identifier: MIT
// Reproducible pseudo-random test data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wire::test {

/// `n` pseudo-random bytes from a fixed-seed generator: the same seed gives the
/// same bytes on every run and machine (splitmix64).
std::vector<std::byte> random_bytes(std::size_t n, std::uint64_t seed = 0x5eed);

/// The same bytes as random_bytes(n, seed), in a std::string.
std::string random_string(std::size_t n, std::uint64_t seed = 0x5eed);

}  // namespace wire::test
