// SPDX-License-Identifier: MIT
// The delimiter search shared by Socket::recv_until and io::Stream::read_until.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace wire::net::detail {

/// How many of the `peeked` bytes to consume so that `held + consumed` ends just
/// after the first `delimiter` (which may straddle the two); `found` says whether
/// it was found, else all of `peeked` is to be consumed. `delimiter` is not empty.
struct DelimiterTake {
  std::size_t take;
  bool found;
};

inline DelimiterTake take_through_delimiter(std::string_view held, std::string_view peeked,
                                            std::string_view delimiter) {
  std::size_t carry = std::min(held.size(), delimiter.size() - 1);
  std::string window(held.substr(held.size() - carry));
  window.append(peeked);
  auto pos = window.find(delimiter);
  if (pos == std::string::npos) return {peeked.size(), false};
  return {pos + delimiter.size() - carry, true};
}

}  // namespace wire::net::detail
