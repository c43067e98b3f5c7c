// SPDX-License-Identifier: MIT
// Fuzzes SMTP's DATA both ways: whatever the input, DataEncoder's output has no bare CR or LF
// and DataParser reads it back to the input with line ends made CRLF, ending exactly at the
// encoder's end; and DataParser on raw input gives the same bytes, end and problem however
// the input is cut, never ending anywhere but after CRLF "." CRLF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "support/split.hpp"
#include "wire/smtp/data_encoder.hpp"
#include "wire/smtp/data_parser.hpp"

using namespace wire::smtp;

namespace {

struct Outcome {
  std::string message;
  std::size_t used = 0;
  bool done = false;
  DataProblem problem = DataProblem::none;
  bool operator==(const Outcome&) const = default;
};

Outcome parse(std::string_view input, wire::test::Split split) {
  DataParser p({.max_message_size = 1 << 20, .max_line_length = 1 << 20});
  Outcome o;
  for (std::string_view piece : wire::test::cut(input, split)) {
    if (p.done()) break;
    o.used += p.feed(piece, o.message);
  }
  o.done = p.done();
  o.problem = p.problem();
  return o;
}

// The input with every CR, LF and CRLF made CRLF, and a last CRLF if it had none.
std::string normalised(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' || in[i] == '\n') {
      out += "\r\n";
      if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else {
      out += in[i];
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  DataEncoder enc;
  std::string wire;
  for (std::string_view piece : wire::test::cut(input, {wire::test::Split::random, size})) enc.encode(piece, wire);
  enc.finish(wire);
  for (std::size_t i = 0; i < wire.size(); ++i) {
    if (wire[i] == '\r' && (i + 1 == wire.size() || wire[i + 1] != '\n')) std::abort();
    if (wire[i] == '\n' && (i == 0 || wire[i - 1] != '\r')) std::abort();
  }
  Outcome back = parse(wire, {wire::test::Split::whole, 0});
  if (!back.done || back.used != wire.size() || back.problem != DataProblem::none) std::abort();
  if (back.message != normalised(input)) std::abort();

  Outcome whole = parse(input, {wire::test::Split::whole, 0});
  if (parse(input, {wire::test::Split::bytewise, 0}) != whole) std::abort();
  if (parse(input, {wire::test::Split::random, size}) != whole) std::abort();
  if (whole.done && (whole.used < 5 ? input.substr(0, whole.used) != ".\r\n"
                                    : input.substr(whole.used - 5, 5) != "\r\n.\r\n")) {
    std::abort();
  }
  return 0;
}
