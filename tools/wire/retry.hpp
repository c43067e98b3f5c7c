// SPDX-License-Identifier: MIT
// --retry's rules, as curl's: what is transient, and how long to wait before trying again.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace wire::cli {

/// The longest wait between two attempts, whatever the server or the backoff says.
inline constexpr std::chrono::minutes kMaxRetryWait{10};

/// Whether a response status is worth another try: 408, 429, 500, 502, 503, 504.
bool transient_status(int status) noexcept;

/// The wait before retry number `retry` (0: the first): what the server's Retry-After asked
/// for, else `fixed` (--retry-delay), else 1 s doubled for each retry before; never more than
/// kMaxRetryWait.
///   retry_wait(0, {}, {}) == 1s;  retry_wait(3, {}, {}) == 8s;  retry_wait(20, {}, {}) == 10min
std::chrono::milliseconds retry_wait(int retry, std::optional<std::chrono::milliseconds> fixed,
                                     std::optional<std::chrono::milliseconds> retry_after) noexcept;

/// A Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP date, from `now`.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

}  // namespace wire::cli
