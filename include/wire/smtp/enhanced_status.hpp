// SPDX-License-Identifier: MIT
// Enhanced mail system status codes (RFC 3463), as servers put them at the start of a reply's
// text when they offer ENHANCEDSTATUSCODES (RFC 2034): "550 5.1.1 No such user".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wire::smtp {

/// class.subject.detail: class 2, 4 or 5; subject and detail 0-999 (RFC 3463 §2).
///   auto s = parse_enhanced_status("5.1.1 No such user");   // {5, 1, 1}, rest "No such user"
struct EnhancedStatus {
  int cls = 0;
  int subject = 0;
  int detail = 0;

  std::string str() const;  ///< "5.1.1"
  bool operator==(const EnhancedStatus&) const = default;
};

/// Parses an enhanced status code at the start of `text`, followed by SP or the end. On
/// success `rest` (if given) is the text after it and its SP.
std::optional<EnhancedStatus> parse_enhanced_status(std::string_view text, std::string_view* rest = nullptr) noexcept;

}  // namespace wire::smtp
