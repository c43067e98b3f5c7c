// SPDX-License-Identifier: MIT
// Fuzzes net::scan_line, where every line protocol (FTP, SMTP replies and commands) finds its
// lines. The input: a byte for the limit, a byte for the line ending (CRLF only, or LF with an
// optional CR), then the bytes. A line found is within the limit and holds no line end of its
// own, and what ends it is exactly CRLF (or LF, or CRLF in LF mode); and the answer never
// depends on how the bytes arrive: every shorter prefix of the bytes that make a line, or an
// error, is "need more" (or the same error), never another line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_input.hpp"
#include "wire/net/line_reader.hpp"

using namespace wire::net;
using wire::fuzz::violated;
using Status = LineScan::Status;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  wire::fuzz::Input input(data, size);
  std::size_t max = input.byte();
  LineEnd end = (input.byte() & 1) ? LineEnd::lf : LineEnd::crlf;
  std::string_view bytes = input.rest();

  LineScan scan = scan_line(bytes, max, end);
  std::size_t decided = bytes.size();  // how many bytes the answer rests on
  if (scan.status == Status::line) {
    if (scan.length > max) violated("a line longer than the limit");
    if (scan.consumed > bytes.size() || scan.consumed <= scan.length) violated("a line consumed past the bytes");
    std::string_view line = bytes.substr(0, scan.length);
    std::string_view ending = bytes.substr(scan.length, scan.consumed - scan.length);
    if (line.find('\n') != std::string_view::npos) violated("a line with an LF in it");
    if (end == LineEnd::crlf && line.find('\r') != std::string_view::npos) violated("a CRLF line with a CR in it");
    if (ending != "\r\n" && !(end == LineEnd::lf && ending == "\n")) violated("a line ended by something else");
    decided = scan.consumed;
  }
  if (scan.status == Status::need_more && bytes.size() > max + 2) violated("need more past the limit");
  // Prefixes: all of them for short inputs, else a sample (each scan is linear).
  std::size_t step = decided <= 512 ? 1 : decided / 256;
  for (std::size_t k = 0; k < decided; k += step) {
    LineScan part = scan_line(bytes.substr(0, k), max, end);
    if (part.status == Status::line) violated("a prefix makes another line");
    if (part.status != Status::need_more && part.status != scan.status) violated("a prefix fails otherwise");
  }
  return 0;
}
