// SPDX-License-Identifier: MIT
#include "support/random.hpp"

namespace wire::test {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void fill(unsigned char* out, std::size_t n, std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t v = splitmix64(state);
    // Byte by byte (little-endian order) so every machine gets the same bytes.
    for (std::size_t k = 0; k < 8 && i + k < n; ++k) {
      out[i + k] = static_cast<unsigned char>(v >> (8 * k));
    }
  }
}

}  // namespace

std::vector<std::byte> random_bytes(std::size_t n, std::uint64_t seed) {
  std::vector<std::byte> out(n);
  fill(reinterpret_cast<unsigned char*>(out.data()), n, seed);
  return out;
}

std::string random_string(std::size_t n, std::uint64_t seed) {
  std::string out(n, '\0');
  fill(reinterpret_cast<unsigned char*>(out.data()), n, seed);
  return out;
}

}  // namespace wire::test
