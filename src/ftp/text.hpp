// SPDX-License-Identifier: MIT
// Small text helpers the FTP codec sources share: ASCII classes, decimal numbers, time-val.
// TODO(text): replace with wire/text/chars.hpp and wire/text/date.hpp once wire::text is on
// main; no second date parser may stay here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wire::ftp::detail {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept;

/// A run of 1-`max_digits` decimal digits and nothing else, at most `max`.
std::optional<std::uint64_t> decimal(std::string_view s, std::uint64_t max, std::size_t max_digits = 20) noexcept;

/// RFC 3659 §2.3 time-val: YYYYMMDDHHMMSS[.fraction], UTC; fraction digits past the third
/// are dropped. nullopt for anything else or a date that does not exist.
std::optional<std::chrono::sys_time<std::chrono::milliseconds>> parse_time_val(std::string_view s) noexcept;
/// YYYYMMDDHHMMSS, with ".sss" when the milliseconds are not 0.
std::string format_time_val(std::chrono::sys_time<std::chrono::milliseconds> t);

}  // namespace wire::ftp::detail
