// SPDX-License-Identifier: MIT
// Fuzzes Url: what parses serialises to a string that parses to the same URL; resolving
// against a base gives an absolute URL that round-trips too; percent-encoding round-trips.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "wire/http/url.hpp"

using namespace wire::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (percent_decode(percent_encode(text)) != text) wire::fuzz::violated("percent-encoding does not round-trip");
  Url url;
  try {
    url = Url::parse(text);
  } catch (const UrlError&) {
    return 0;
  }
  if (Url::parse(url.str()) != url) wire::fuzz::violated("str() does not parse back to the URL");
  // What a client sends from a URL: a request-target and a Host value that are valid on the
  // wire (no space or control byte: nothing a server could read as another line).
  if (url.is_absolute() && url.has_authority()) {
    for (char c : url.target() + url.host_header()) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) wire::fuzz::violated("target or Host with a control byte");
    }
  }
  try {
    (void)url.username();
    (void)url.password();
    (void)Url::parse_http(text);
  } catch (const UrlError&) {
  }
  static const Url base = Url::parse("http://a/b/c/d;p?q");
  Url resolved = resolve(base, url);
  if (!resolved.is_absolute()) wire::fuzz::violated("a resolved URL is not absolute");
  // A path starting with "//" cannot be written without an authority; skip that corner.
  if (!resolved.has_authority() && resolved.path().rfind("//", 0) == 0) return 0;
  if (Url::parse(resolved.str()) != resolved) wire::fuzz::violated("a resolved URL does not round-trip");
  return 0;
}
