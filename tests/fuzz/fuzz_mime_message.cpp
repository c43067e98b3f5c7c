// SPDX-License-Identifier: MIT
// Fuzzes mime::MessageParser: whatever the bytes, it ends in `end` or a sticky error, parts
// open and close in order, and the transcript is the same whole, byte by byte and cut at
// points the input chooses; parse_message() agrees with it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mime/transcript.hpp"
#include "wire/mime/error.hpp"
#include "wire/mime/part.hpp"

using namespace wire::mime;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ParserLimits limits;
  limits.max_depth = 8;
  limits.max_parts = 64;
  limits.max_header_bytes = 4096;
  auto whole = test::run(input, test::Split{}, limits);
  if (whole.empty()) std::abort();
  const std::string& last = whole.back();
  if (last != "end" && last.rfind("error: ", 0) != 0) std::abort();
  // begin/end-part balanced and properly nested.
  int depth = -1;
  for (const std::string& line : whole) {
    if (line.rfind("begin ", 0) == 0) {
      if (std::stoi(line.substr(6)) != depth + 1) std::abort();
      ++depth;
    } else if (line.rfind("end-part ", 0) == 0) {
      if (std::stoi(line.substr(9)) != depth) std::abort();
      --depth;
    }
  }
  if (last == "end" && depth != -1) std::abort();
  if (size < 4096) {
    if (test::run(input, test::Split{test::Split::bytewise, 0}, limits) != whole) std::abort();
  }
  if (test::run(input, test::Split{test::Split::random, size}, limits) != whole) std::abort();
  try {
    Part p = parse_message(input, limits);
    if (last != "end") std::abort();
    (void)p.attachments();
    (void)p.find_text("plain");
    (void)p.subject();
  } catch (const Error&) {
    if (last == "end") std::abort();
  }
  return 0;
}
