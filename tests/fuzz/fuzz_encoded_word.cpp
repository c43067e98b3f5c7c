// SPDX-License-Identifier: MIT
// Fuzzes RFC 2047 and quoted-printable: decoding anything is safe; text that may be encoded
// comes back exactly from encode_unstructured() -> decode_words(), bytes from
// quoted_printable_encode() -> QuotedPrintableDecoder, and parameters from format_parameter()
// -> Parameters::parse().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wire/mime/charset.hpp"
#include "wire/mime/encoded_word.hpp"
#include "wire/mime/parameters.hpp"
#include "wire/mime/quoted_printable.hpp"
#include "wire/text/chars.hpp"

using namespace wire::mime;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)decode_words(input);
  (void)decode_word(input);
  (void)Parameters::parse(input);
  QuotedPrintableDecoder any;
  std::string sink;
  any.update(input, sink);
  any.finish(sink);

  std::string qp = quoted_printable_encode(input);
  QuotedPrintableDecoder dec;
  std::string back;
  for (std::size_t i = 0; i < qp.size(); i += 5) dec.update(std::string_view(qp).substr(i, 5), back);
  dec.finish(back);
  if (back != input) std::abort();

  if (is_utf8(input) && !wire::text::has_line_break(input)) {
    std::size_t name_length = size % 40;
    if (decode_words(encode_unstructured(input, name_length)).text != input) std::abort();
    std::string param = format_parameter("filename", input);
    if (Parameters::parse("; " + param).get("filename") != input) std::abort();
  }
  return 0;
}
