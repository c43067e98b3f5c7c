// SPDX-License-Identifier: MIT
// Decimal numbers as FTP writes them: digits only, no sign, no spaces.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wire::ftp::detail {

/// `s` as a number if it is 1 to `max_digits` decimal digits and nothing else, at most `max`.
inline std::optional<std::uint64_t> decimal(std::string_view s, std::uint64_t max,
                                            std::size_t max_digits = 20) noexcept {
  if (s.empty() || s.size() > max_digits || s.front() < '0' || s.front() > '9') return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace wire::ftp::detail
