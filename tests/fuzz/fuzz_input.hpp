// SPDX-License-Identifier: MIT
// Taking a fuzz input apart: leading bytes that choose options, then text pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace wire::fuzz {

/// The bytes of one input, consumed from the front.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  /// The next byte, or 0 once the input is used up (so short inputs still run).
  std::uint8_t byte() noexcept {
    if (rest_.empty()) return 0;
    auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  /// Text up to the next '\n' (not included), or everything left.
  std::string_view line() noexcept {
    auto nl = rest_.find('\n');
    std::string_view out = rest_.substr(0, nl);
    rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
    return out;
  }
  std::string_view rest() const noexcept { return rest_; }
  bool empty() const noexcept { return rest_.empty(); }

 private:
  std::string_view rest_;
};

/// A property of the code under test does not hold: say which, and crash, so that libFuzzer
/// (or the replay) keeps the input.
[[noreturn]] inline void violated(const char* what) {
  std::fprintf(stderr, "fuzz: property violated: %s\n", what);
  std::abort();
}

}  // namespace wire::fuzz
