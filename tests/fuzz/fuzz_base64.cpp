// SPDX-License-Identifier: MIT
// Fuzzes base64 (RFC 4648, and MIME's streamed form, RFC 2045 §6.8). The input: a byte for the
// MIME line length and where to cut, then bytes used both as data and as text to decode.
// Encoding round-trips; strict decoding accepts only the one canonical encoding of its output;
// the streaming encoder writes lines of at most the line length that decode to the data; the
// streaming decoder gives the same answer however its text is cut, and agrees with the strict
// decoder on whatever the strict one accepts.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "wire/text/base64.hpp"

using namespace wire::text;
using wire::fuzz::violated;

namespace {

// `text` cut at points drawn from `seed` (and always at its end).
std::vector<std::string_view> pieces(std::string_view text, std::uint32_t seed) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < text.size()) {
    seed = seed * 1'103'515'245u + 12'345u;
    std::size_t n = std::min<std::size_t>(text.size() - at, (seed >> 16) % 9);
    out.push_back(text.substr(at, n));
    at += n;
  }
  return out;
}

struct Decoded {
  bool ok = true;
  std::string bytes;
  friend bool operator==(const Decoded&, const Decoded&) = default;
};

Decoded stream_decode(const std::vector<std::string_view>& parts) {
  Base64Decoder dec;
  Decoded d;
  for (auto p : parts) d.ok = dec.update(p, d.bytes) && d.ok;
  d.ok = dec.finish(d.bytes) && d.ok;
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  wire::fuzz::Input input(data, size);
  std::uint8_t options = input.byte();
  std::string_view bytes = input.rest();
  std::uint32_t seed = options * 2'654'435'761u;

  std::string encoded = base64_encode(bytes);
  if (encoded.size() != base64_length(bytes.size())) violated("base64_length() is not the encoded length");
  if (base64_decode(encoded) != std::optional<std::string>(bytes)) violated("encoding does not round-trip");

  if (auto decoded = base64_decode(bytes)) {
    if (base64_encode(*decoded) != bytes) violated("strict decoding accepted a non-canonical encoding");
    Decoded streamed = stream_decode({bytes});
    if (!streamed.ok || streamed.bytes != *decoded) violated("the streaming decoder differs from the strict one");
  }
  // The streaming decoder, fed the input as MIME text, whole and cut anywhere.
  if (stream_decode({bytes}) != stream_decode(pieces(bytes, seed))) violated("the streaming decoder depends on the cuts");

  // MIME lines: the streaming encoder over cut data, then decoded again.
  std::size_t line_length = 4 + options % 120;
  Base64Encoder enc(line_length);
  std::string mime;
  for (auto p : pieces(bytes, seed ^ 0x5a5a5a5au)) enc.update(p, mime);
  enc.finish(mime);
  std::string joined;
  std::size_t at = 0;
  while (at < mime.size()) {
    std::size_t crlf = mime.find("\r\n", at);
    if (crlf == std::string::npos) violated("a MIME line without its CRLF");
    if (crlf - at > line_length || crlf == at) violated("a MIME line longer than the line length, or empty");
    joined.append(mime, at, crlf - at);
    at = crlf + 2;
  }
  if (joined != encoded) violated("the streaming encoder writes other base64 than the whole one");
  Decoded back = stream_decode(pieces(mime, seed + 1));
  if (!back.ok || back.bytes != bytes) violated("MIME base64 does not decode to its data");
  return 0;
}
