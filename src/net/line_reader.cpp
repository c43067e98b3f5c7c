// SPDX-License-Identifier: MIT
#include "wire/net/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace wire::net {
namespace {

std::size_t find(std::string_view s, char c, std::size_t from = 0) noexcept {
  if (from >= s.size()) return std::string_view::npos;
  const void* p = std::memchr(s.data() + from, c, s.size() - from);
  return p ? static_cast<std::size_t>(static_cast<const char*>(p) - s.data()) : std::string_view::npos;
}

// The first CR or LF decides: only CRLF may end the line.
LineScan strict(std::string_view s, std::size_t max) noexcept {
  using S = LineScan::Status;
  std::size_t i = std::min(find(s, '\r'), find(s, '\n'));
  if (i == std::string_view::npos) return {s.size() > max ? S::too_long : S::need_more};
  if (i > max) return {S::too_long};
  if (s[i] == '\n') return {S::bad_line_ending};
  if (i + 1 == s.size()) return {S::need_more};  // its LF may be on the way
  if (s[i + 1] != '\n') return {S::bad_line_ending};
  return {S::line, i, i + 2};
}

LineScan tolerant(std::string_view s, std::size_t max) noexcept {
  using S = LineScan::Status;
  std::size_t lf = find(s, '\n');
  if (lf == std::string_view::npos) {
    std::size_t content = !s.empty() && s.back() == '\r' ? s.size() - 1 : s.size();
    return {content > max ? S::too_long : S::need_more};
  }
  std::size_t length = lf > 0 && s[lf - 1] == '\r' ? lf - 1 : lf;
  if (length > max) return {S::too_long};
  return {S::line, length, lf + 1};
}

}  // namespace

LineScan scan_line(std::string_view bytes, std::size_t max, LineEnd end) noexcept {
  return end == LineEnd::crlf ? strict(bytes, max) : tolerant(bytes, max);
}

void throw_line_error(LineScan::Status status, std::size_t max, const std::string& what) {
  if (status == LineScan::Status::too_long) {
    throw std::system_error(make_error_code(Errc::limit_exceeded),
                            what + ": a line longer than " + std::to_string(max) + " bytes");
  }
  throw std::system_error(make_error_code(Errc::bad_line_ending), what + ": a bare CR or LF where CRLF ends lines");
}

}  // namespace wire::net
