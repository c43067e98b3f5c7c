// SPDX-License-Identifier: MIT
// Fuzzes the address parser: anything parses or fails with Errc::bad_address; a list that
// parses and can be written (valid addresses, names without CR/LF/NUL) parses back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/mime/error.hpp"
#include "wire/mime/mailbox.hpp"

using namespace wire::mime;

namespace {
// Runs of white space as one space, none at the ends: how a display name reads back.
std::string squeeze(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool ws = c == ' ' || c == '\t';
    if (ws && (out.empty() || out.back() == ' ')) continue;
    out += ws ? ' ' : c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::error_code ec;
  auto list = parse_address_list(input, ec);
  if (ec) {
    if (ec != Errc::bad_address || !list.empty()) std::abort();
    return 0;
  }
  for (const Mailbox& m : list) {
    if (!is_valid_address(m.address)) std::abort();  // what parses is normalised to valid
  }
  std::string written;
  try {
    written = format_address_list(list);
  } catch (const std::invalid_argument&) {
    return 0;  // a decoded name with CR, LF or NUL cannot be written
  }
  auto again = parse_address_list(written, ec);
  if (ec || again.size() != list.size()) std::abort();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (again[i].address != list[i].address || squeeze(again[i].name) != squeeze(list[i].name)) std::abort();
  }
  return 0;
}
