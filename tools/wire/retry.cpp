// SPDX-License-Identifier: MIT
#include "retry.hpp"

#include <algorithm>
#include <charconv>

#include "wire/text/date.hpp"

namespace wire::cli {

bool transient_status(int status) noexcept {
  switch (status) {
    case 408:  // Request Timeout
    case 429:  // Too Many Requests
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds retry_wait(int retry, std::optional<std::chrono::milliseconds> fixed,
                                     std::optional<std::chrono::milliseconds> retry_after) noexcept {
  using std::chrono::milliseconds;
  const milliseconds cap = kMaxRetryWait;
  if (retry_after) return std::clamp(*retry_after, milliseconds(0), cap);
  if (fixed) return std::clamp(*fixed, milliseconds(0), cap);
  // 1 s, 2 s, 4 s, ...: past 2^10 s the cap holds anyway, and the shift stays in range.
  return std::min(milliseconds(static_cast<milliseconds::rep>(1000) << std::clamp(retry, 0, 10)), cap);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
    return std::chrono::seconds(std::min<long long>(seconds, 1LL << 32));
  }
  auto date = text::parse_http_date(value);
  if (!date) return std::nullopt;
  auto then = std::chrono::system_clock::time_point(std::chrono::seconds(*date));
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(then - now), std::chrono::milliseconds(0));
}

}  // namespace wire::cli
