// SPDX-License-Identifier: MIT
// The client's side of DATA (RFC 5321 §4.1.1.4, §4.5.2): the message as it goes on the wire,
// line ends made CRLF and lines that begin with "." doubled, then the end "CRLF.CRLF".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wire::smtp {

/// Transparency and line ends for message data, in pieces (a message of any size passes
/// through a buffer): every CR, LF and CRLF becomes CRLF, so no bare CR or LF ever leaves the
/// client (RFC 5321 §2.3.8: a receiver that framed them otherwise could be smuggled a second
/// message), and a line beginning with "." gets a second "." (§4.5.2).
///   DataEncoder enc;  std::string wire;
///   enc.encode("a\n.b\n", wire);   // "a\r\n..b\r\n"
///   enc.finish(wire);              // + ".\r\n"
class DataEncoder {
 public:
  /// Appends the encoded form of `data` to `out`.
  void encode(std::string_view data, std::string& out);
  /// Appends CRLF if the last line was not ended, then ".\r\n"; the encoder starts afresh.
  void finish(std::string& out);

 private:
  enum class At : std::uint8_t { line_start, after_cr, mid_line };
  At at_ = At::line_start;
};

}  // namespace wire::smtp
