// SPDX-License-Identifier: MIT
// Fuzzes RequestParser: any input, fed whole, byte by byte and cut at points the input picks,
// must give the same transcript (and never crash, leak or overflow).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "transcript.hpp"

using namespace wire::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  // The first bytes choose small limits, so the limit logic is reached often.
  ParserLimits limits;
  limits.max_start_line = 16 + data[0];
  limits.max_header_bytes = 16 + data[1] * 2u;
  limits.max_header_count = 1 + data[2] % 16;
  bool eof = data[0] & 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  using test::Split;
  auto reference = test::run_requests(input, {Split::whole, 0}, eof, limits);
  auto bytewise = test::run_requests(input, {Split::bytewise, 0}, eof, limits);
  auto cut = test::run_requests(input, {Split::random, size}, eof, limits);
  if (bytewise.lines != reference.lines || cut.lines != reference.lines) std::abort();
  return 0;
}
