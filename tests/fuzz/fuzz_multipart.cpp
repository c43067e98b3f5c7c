// SPDX-License-Identifier: MIT
// Fuzzes text::MultipartParser on its own (the first byte picks a boundary length, the rest is
// the boundary and the body) and MultipartWriter -> MultipartParser: bodies the fuzzer chooses
// come back byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wire/text/multipart.hpp"

using namespace wire::text;

namespace {

// Parses `body` fed in pieces of `step`; returns the parts' bodies, or nothing after an error.
bool parse(std::string_view boundary, std::string_view body, std::size_t step, std::vector<std::string>& parts) {
  MultipartParser p(boundary, MultipartLimits{1024, 16, 64});
  bool ended = false;
  auto drain = [&] {
    for (int guard = 0; guard < 1'000'000; ++guard) {
      MultipartEvent e = p.next();
      switch (e.kind) {
        case MultipartEventKind::need_more:
          return true;
        case MultipartEventKind::part:
          parts.emplace_back();
          break;
        case MultipartEventKind::data:
          if (parts.empty() || e.data.empty()) std::abort();
          parts.back() += e.data;
          break;
        case MultipartEventKind::part_end:
          break;
        case MultipartEventKind::end:
          ended = true;
          break;
        case MultipartEventKind::error:
          if (p.next().kind != MultipartEventKind::error || !p.error()) std::abort();
          return false;
      }
    }
    std::abort();
  };
  for (std::size_t i = 0; i < body.size(); i += step) {
    p.feed(body.substr(i, step));
    if (!drain()) return false;
  }
  p.feed_eof();
  return drain() && ended;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t blen = 1 + static_cast<std::uint8_t>(input[0]) % 16;
  if (input.size() < 1 + blen) return 0;
  std::string_view boundary = input.substr(1, blen);
  std::string_view body = input.substr(1 + blen);
  std::vector<std::string> a, b;
  bool ok_a = parse(boundary, body, body.size() + 1, a);
  bool ok_b = parse(boundary, body, 1 + size % 7, b);
  if (ok_a != ok_b || (ok_a && a != b)) std::abort();

  // Round trip: the body cut into three parts, written and read back.
  MultipartWriter w("mixed");
  std::vector<std::string> bodies{std::string(body.substr(0, body.size() / 3)),
                                  std::string(body.substr(body.size() / 3, body.size() / 3)),
                                  std::string(body.substr(2 * (body.size() / 3)))};
  try {
    w.add(Headers{}, bodies[0]);
    w.add(Headers{{"X", "1"}}, std::make_unique<StringSource>(bodies[1]));
    w.add(Headers{}, bodies[2]);
  } catch (const std::invalid_argument&) {
    return 0;  // the body held a fresh random boundary: not going to happen
  }
  std::string out(static_cast<std::size_t>(*w.size()), '\0');
  if (w.read(std::span<char>(out)) != out.size()) std::abort();
  std::vector<std::string> back;
  if (!parse(w.boundary(), out, 1 + size % 13, back) || back != bodies) std::abort();
  return 0;
}
