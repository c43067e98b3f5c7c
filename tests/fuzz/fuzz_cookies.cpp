// SPDX-License-Identifier: MIT
// Fuzzes CookieJar: Set-Cookie values (attributes, Max-Age, Expires dates in their two
// formats) stored from one of a few URLs, then the Cookie header for each. The input: a byte
// choosing the URL, a byte choosing the clock, then Set-Cookie values one per line. The jar
// stays within its bound; a Cookie header is a valid field value made of name=value pairs
// that were set; no secure cookie goes over http and no cookie to a host it was not set for.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "wire/http/cookies.hpp"
#include "wire/text/date.hpp"

using namespace wire::http;
using wire::fuzz::violated;

namespace {

const std::array<Url, 6>& urls() {
  static const std::array<Url, 6> all = {
      Url::parse("http://example.com/a/b"),     Url::parse("https://www.example.com/"),
      Url::parse("http://127.0.0.1:8080/x/y"), Url::parse("https://[::1]/p"),
      Url::parse("http://localhost/"),          Url::parse("https://a.b.example.com/a/b/c?q"),
  };
  return all;
}

bool is_set_pair(std::string_view pair, std::string_view input) {
  // A pair the jar sends was in some Set-Cookie line (name and value are trimmed copies).
  auto eq = pair.find('=');
  if (eq == std::string_view::npos) return false;
  return input.find(pair.substr(0, eq)) != std::string_view::npos &&
         input.find(pair.substr(eq + 1)) != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  wire::fuzz::Input input(data, size);
  const Url& from = urls()[input.byte() % urls().size()];
  // A fixed clock in 2023-2028 (not the real one: the same input must do the same thing),
  // moved by the input so that Max-Age and Expires land on both sides of it.
  auto now = CookieJar::Clock::time_point(std::chrono::seconds(1'700'000'000LL + input.byte() * 86'400LL * 7));
  std::string_view lines = input.rest();

  Headers response;
  for (std::size_t guard = 0; guard < 10'000 && !input.empty(); ++guard) {
    std::string_view line = input.line();
    // The parser never hands over a value with CR, LF or NUL, or surrounding whitespace.
    if (!is_valid_field_value(line)) continue;
    response.add("Set-Cookie", line);
  }
  CookieJar jar;
  jar.store(from, response, now);
  if (jar.size() > CookieJar::kMaxCookies) violated("the jar grew past kMaxCookies");

  for (const Url& to : urls()) {
    std::string header = jar.header_for(to, now);
    if (!is_valid_field_value(header)) violated("a Cookie header that is not a valid field value");
    if (header.empty()) continue;
    if (from.host() != to.host() && from.host_kind() != HostKind::name) {
      violated("a cookie set by an IP address went to another host");
    }
    std::string_view rest = header;
    for (std::size_t guard = 0; guard <= header.size(); ++guard) {
      auto semi = rest.find("; ");
      if (!is_set_pair(rest.substr(0, semi), lines)) violated("a Cookie pair that no Set-Cookie set");
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 2);
    }
  }
  // Secure cookies travel over https only.
  if (from.scheme() == "https") {
    CookieJar secure_only;
    Headers secure;
    for (auto v : response.get_all("Set-Cookie")) {
      std::string line(v);
      line += "; Secure";
      secure.add("Set-Cookie", line);
    }
    secure_only.store(from, secure, now);
    for (const Url& to : urls()) {
      if (to.scheme() == "http" && !secure_only.header_for(to, now).empty()) {
        violated("a Secure cookie was sent over http");
      }
    }
  }
  return 0;
}
