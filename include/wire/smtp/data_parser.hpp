// SPDX-License-Identifier: MIT
// The server's side of DATA (RFC 5321 §4.1.1.4, §4.5.2): the message bytes as they arrive,
// its end found only at CRLF "." CRLF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wire::smtp {

/// What a DataParser refuses.
struct DataLimits {
  /// The message's bytes (after dot-unstuffing). Past it: DataProblem::too_large.
  std::uint64_t max_message_size = 32 * 1024 * 1024;
  /// One line with its CRLF: 1000 (RFC 5321 §4.5.3.1.6). Past it: DataProblem::line_too_long.
  std::size_t max_line_length = 1000;
};

/// The first thing wrong with a message's data. None of them ends the data early: the
/// server reads on to the real end and refuses the message then.
enum class DataProblem : std::uint8_t {
  none,
  bare_cr,        ///< a CR not followed by LF
  bare_lf,        ///< an LF without a CR before it
  too_large,      ///< more than DataLimits::max_message_size
  line_too_long,  ///< a line longer than DataLimits::max_line_length
};

/// Reads message data after a 354 reply. The end is CRLF "." CRLF and nothing else: "\n.\n",
/// "\r.\r", "\n.\r\n" are data (RFC 5321 §2.3.8, §4.1.1.4), so that a message that a filter in
/// front ends elsewhere cannot end here and let the rest pass as commands (SMTP smuggling,
/// CVE-2023-51764/5/6). A bare CR or LF anywhere is a problem that refuses the message; lines
/// beginning with "." lose it (§4.5.2). Bytes are given out until the first problem, then
/// dropped.
///   DataParser p(limits);   std::string msg;
///   std::size_t used = p.feed(buffer, msg);     // stops right after the end
///   if (p.done()) { if (p.problem() == DataProblem::none) deliver(msg); }
class DataParser {
 public:
  explicit DataParser(const DataLimits& limits = {}) : limits_(limits) {}

  /// Parses `in` up to the end of the data; appends the message bytes to `out` (CRLF line
  /// ends, dots removed). Returns the bytes used: all of `in`, or up to the end.
  std::size_t feed(std::string_view in, std::string& out);
  /// The end ("CRLF.CRLF") was read.
  bool done() const noexcept { return state_ == State::done; }
  DataProblem problem() const noexcept { return problem_; }
  /// The message's bytes so far (also those dropped after a problem).
  std::uint64_t size() const noexcept { return size_; }
  /// Ready for another message.
  void reset() noexcept;

 private:
  enum class State : std::uint8_t { line_start, dot, dot_cr, mid_line, cr, done };
  void flag(DataProblem p) noexcept {
    if (problem_ == DataProblem::none) problem_ = p;
  }
  void emit(std::string& out, std::string_view bytes);

  DataLimits limits_;
  State state_ = State::line_start;
  DataProblem problem_ = DataProblem::none;
  std::uint64_t size_ = 0;
  std::size_t line_ = 0;  // bytes of the current line so far
};

}  // namespace wire::smtp
