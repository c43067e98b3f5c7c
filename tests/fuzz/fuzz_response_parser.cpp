// SPDX-License-Identifier: MIT
// Fuzzes ResponseParser the way fuzz_request_parser does RequestParser, with the request
// methods (GET, HEAD, CONNECT) chosen by the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "transcript.hpp"

using namespace wire::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  ParserLimits limits;
  limits.max_start_line = 16 + data[0];
  limits.max_header_bytes = 16 + data[1] * 2u;
  limits.max_header_count = 1 + data[2] % 16;
  limits.max_interim_responses = data[2] / 16;
  bool eof = data[0] & 1;
  static const char* const kMethods[] = {"GET", "HEAD", "CONNECT", "POST"};
  std::vector<std::string> methods;
  for (int i = 0; i < 4; ++i) methods.emplace_back(kMethods[(data[3] >> (2 * i)) & 3]);
  std::string_view input(reinterpret_cast<const char*>(data) + 4, size - 4);

  using test::Split;
  auto reference = test::run_responses(input, {Split::whole, 0}, eof, limits, methods);
  auto bytewise = test::run_responses(input, {Split::bytewise, 0}, eof, limits, methods);
  auto cut = test::run_responses(input, {Split::random, size}, eof, limits, methods);
  if (bytewise.lines != reference.lines || cut.lines != reference.lines) std::abort();
  return 0;
}
