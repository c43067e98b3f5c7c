// SPDX-License-Identifier: MIT
// The lines of a listing read from a data connection.
#pragma once

#include <string_view>

namespace wire::ftp::detail {

/// Calls `f(line)` for each non-empty line of `data`, the lines ended by CRLF or LF (ASCII mode
/// sends CRLF; many servers send LF), the last one perhaps by nothing. Stops early when `f`
/// returns false.
template <typename F>
void for_each_line(std::string_view data, F&& f) {
  while (!data.empty()) {
    std::size_t lf = data.find('\n');
    std::string_view line = data.substr(0, lf);
    data.remove_prefix(lf == std::string_view::npos ? data.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && !f(line)) return;
  }
}

}  // namespace wire::ftp::detail
