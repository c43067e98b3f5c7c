// SPDX-License-Identifier: MIT
// Fuzzes net::Address parsing: Address::parse ("1.2.3.4:80", "[::1]:80", "[fe80::1%eth0]:80",
// Unix paths), Address::ip, split_host_port, parse_port and is_ip_literal. They throw only
// std::invalid_argument; an IP address that parses prints as text that parses back to it
// and was given without NUL bytes (the C functions under them would read a shorter string);
// parse_port takes exactly the decimal numbers 0-65535.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "wire/net/address.hpp"

using namespace wire::net;
using wire::fuzz::violated;

namespace {

// parse_port by its documentation: a decimal number 0-65535, nothing else.
std::optional<std::uint16_t> reference_port(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > 65535) return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool has_nul = text.find('\0') != std::string_view::npos;

  std::optional<Address> parsed;
  try {
    parsed = Address::parse(text);
  } catch (const std::invalid_argument&) {
  }
  if (parsed != Address::try_parse(text)) violated("try_parse() differs from parse()");
  if (parsed && (parsed->is_ipv4() || parsed->is_ipv6())) {
    if (has_nul) violated("an IP address parsed from text with a NUL byte");
    if (Address::parse(parsed->to_string()) != *parsed) violated("to_string() does not parse back");
    if (Address::ip(parsed->host(), parsed->port()) != *parsed) violated("host() and port() do not make the address");
  }

  try {
    HostPort hp = split_host_port(text);
    if (hp.port != reference_port(text.substr(text.rfind(':') + 1))) violated("split_host_port() read another port");
  } catch (const std::invalid_argument&) {
  }

  std::optional<std::uint16_t> port;
  try {
    port = parse_port(text);
  } catch (const std::invalid_argument&) {
  }
  if (port != reference_port(text)) violated("parse_port() differs from decimal 0-65535");

  if (is_ip_literal(text)) {
    if (has_nul) violated("is_ip_literal() accepted text with a NUL byte");
    try {
      (void)Address::ip(text, 80);
    } catch (const std::invalid_argument&) {
      violated("is_ip_literal() accepted what Address::ip() refuses");
    }
  }
  return 0;
}
